/**
 * @file go.mod grammar for tree-sitter, written from the go command's modfile syntax.
 * @license MIT
 */

const { externals, positions, commonRules, inlined, directive, block, lines, single } = require('../common/common.js');

module.exports = grammar({
  name: 'gomod',

  externals,

  // Blanks and line breaks are skipped by the scanner (a line ends where the next line's first
  // token starts); the pattern lets the parser skip those that end the file.
  extras: $ => [$.comment, $.deprecation_comment, /[ \t\r\n]/],

  supertypes: $ => [$._directive],

  inline: $ => inlined($),

  rules: {
    source_file: $ => repeat($._directive),

    _directive: $ => choice(
      $.module_directive,
      $.go_directive,
      $.toolchain_directive,
      $.godebug_directive,
      $.require_directive,
      $.exclude_directive,
      $.replace_directive,
      $.retract_directive,
      $.tool_directive,
      $.ignore_directive,
      $.unknown_directive,
    ),

    ...commonRules(),

    module_directive: $ => directive(
      $, $._kw_module, 'module', alias($._mid_module_spec, $.module_spec), $._module_block,
    ),
    _module_block: $ => block($, $._module_lines),
    _module_lines: $ => lines($, $.module_spec, $._module_lines),
    _mid_module_spec: $ => single($, positions($).mid, 'path', $._module_path),
    module_spec: $ => single($, positions($).start, 'path', positions($).start.modulePath),

    require_directive: $ => directive(
      $, $._kw_require, 'require', alias($._mid_require_spec, $.require_spec), $._require_block,
    ),
    _require_block: $ => block($, $._require_lines),
    _require_lines: $ => lines($, $.require_spec, $._require_lines),

    // `path version [// indirect]`; `indirect` is go's marker exactly as go recognises it.
    _mid_require_spec: $ => requireSpec($, positions($).mid),
    require_spec: $ => requireSpec($, positions($).start),

    exclude_directive: $ => directive(
      $, $._kw_exclude, 'exclude', alias($._mid_exclude_spec, $.exclude_spec), $._exclude_block,
    ),
    _exclude_block: $ => block($, $._exclude_lines),
    _exclude_lines: $ => lines($, $.exclude_spec, $._exclude_lines),
    _mid_exclude_spec: $ => pathAndVersion($, positions($).mid),
    exclude_spec: $ => pathAndVersion($, positions($).start),

    retract_directive: $ => directive(
      $, $._kw_retract, 'retract', alias($._mid_retract_spec, $.retract_spec), $._retract_block,
    ),
    _retract_block: $ => block($, $._retract_lines),
    _retract_lines: $ => lines($, $.retract_spec, $._retract_lines),

    // A single version, or `[low, high]`; partial intervals keep what they have.
    _mid_retract_spec: $ => retractSpec($, positions($).mid, $.version_interval),
    retract_spec: $ => retractSpec(
      $, positions($).start, alias($._line_version_interval, $.version_interval),
    ),

    // Shifting wins over ending the interval early: `[v1` continues with `,`, not an argument.
    version_interval: $ => versionInterval($, '['),
    _line_version_interval: $ => versionInterval($, alias($._line_lbracket, '[')),

    tool_directive: $ => directive(
      $, $._kw_tool, 'tool', alias($._mid_tool_spec, $.tool_spec), $._tool_block,
    ),
    _tool_block: $ => block($, $._tool_lines),
    _tool_lines: $ => lines($, $.tool_spec, $._tool_lines),
    _mid_tool_spec: $ => single($, positions($).mid, 'path', $._module_path),
    tool_spec: $ => single($, positions($).start, 'path', positions($).start.modulePath),

    ignore_directive: $ => directive(
      $, $._kw_ignore, 'ignore', alias($._mid_ignore_spec, $.ignore_spec), $._ignore_block,
    ),
    _ignore_block: $ => block($, $._ignore_lines),
    _ignore_lines: $ => lines($, $.ignore_spec, $._ignore_lines),
    _mid_ignore_spec: $ => single($, positions($).mid, 'path', $._file_path),
    ignore_spec: $ => single($, positions($).start, 'path', positions($).start.filePath),
  },
});

/** `path version ...` with every shorter or longer form kept. */
function pathAndVersion($, at) {
  return choice(
    seq(
      field('path', at.modulePath),
      optional(choice(
        seq(field('version', $._version), repeat($.argument)),
        seq($._punctuation_argument, repeat($.argument)),
      )),
    ),
    seq(at.punctuationArgument, repeat($.argument)),
  );
}

function requireSpec($, at) {
  return seq(pathAndVersion($, at), optional(field('indirect', $.indirect_comment)));
}

function retractSpec($, at, versionInterval) {
  return seq(
    choice(field('version', at.version), versionInterval, at.retractPunctuation),
    repeat($.argument),
  );
}

function versionInterval($, open) {
  return prec.right(seq(
    open,
    optional(seq(
      field('low', $._version),
      optional(seq(
        ',',
        optional(seq(
          field('high', $._version),
          optional(']'),
        )),
      )),
    )),
  ));
}

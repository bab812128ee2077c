/**
 * @file go.mod grammar for tree-sitter, written from the go command's modfile syntax.
 * @license MIT
 */

const {
  externals, positions, commonRules, inlined, specDirective, singleSpec,
} = require('../common/common.js');

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

    ...specDirective('module', singleSpec('path', 'modulePath')),

    // `path version [// indirect]`; `indirect` is go's marker exactly as go recognises it.
    ...specDirective('require', requireSpec),

    ...specDirective('exclude', pathAndVersion),

    // A single version, or `[low, high]`; partial intervals keep what they have.
    ...specDirective('retract', retractSpec),

    // Shifting wins over ending the interval early: `[v1` continues with `,`, not an argument.
    version_interval: $ => versionInterval($, '['),
    _line_version_interval: $ => versionInterval($, alias($._line_lbracket, '[')),

    ...specDirective('tool', singleSpec('path', 'modulePath')),

    ...specDirective('ignore', singleSpec('path', 'filePath')),
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

function retractSpec($, at) {
  const versionInterval = at.lineStart
    ? alias($._line_version_interval, $.version_interval)
    : $.version_interval;
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

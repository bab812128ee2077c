/**
 * @file go.mod grammar for tree-sitter, written from the go command's modfile syntax.
 * @license MIT
 */

const { externals, commonRules, inlined, directive, block, single } = require('../common/common.js');

module.exports = grammar({
  name: 'gomod',

  externals,

  // Blanks are skipped by the scanner; the pattern lets the parser skip blanks that end the file.
  extras: $ => [$.comment, $.deprecation_comment, /[ \t\r]/],

  supertypes: $ => [$._directive],

  inline: $ => [...inlined($), $._path_and_version],

  rules: {
    source_file: $ => repeat(choice($._newline, $._directive)),

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

    module_directive: $ => directive($, $._kw_module, 'module', $.module_spec, $._module_block),
    _module_block: $ => block($, $.module_spec),
    module_spec: $ => single($, 'path', $._module_path),

    require_directive: $ => directive($, $._kw_require, 'require', $.require_spec, $._require_block),
    _require_block: $ => block($, $.require_spec),

    // `path version [// indirect]`; `indirect` is go's marker exactly as go recognises it.
    require_spec: $ => seq(
      $._path_and_version,
      optional(field('indirect', $.indirect_comment)),
    ),

    exclude_directive: $ => directive($, $._kw_exclude, 'exclude', $.exclude_spec, $._exclude_block),
    _exclude_block: $ => block($, $.exclude_spec),
    exclude_spec: $ => $._path_and_version,

    _path_and_version: $ => choice(
      seq(
        field('path', $._module_path),
        optional(choice(
          seq(field('version', $._version), repeat($.argument)),
          seq($._punctuation_argument, repeat($.argument)),
        )),
      ),
      seq($._punctuation_argument, repeat($.argument)),
    ),

    retract_directive: $ => directive($, $._kw_retract, 'retract', $.retract_spec, $._retract_block),
    _retract_block: $ => block($, $.retract_spec),

    // A single version, or `[low, high]`; partial intervals keep what they have.
    retract_spec: $ => seq(
      choice(
        field('version', $._version),
        $.version_interval,
        alias(choice($._lparen, $._rparen, ']', '{', '}', ','), $.argument),
      ),
      repeat($.argument),
    ),

    // Shifting wins over ending the interval early: `[v1` continues with `,`, not an argument.
    version_interval: $ => prec.right(seq(
      '[',
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
    )),

    tool_directive: $ => directive($, $._kw_tool, 'tool', $.tool_spec, $._tool_block),
    _tool_block: $ => block($, $.tool_spec),
    tool_spec: $ => single($, 'path', $._module_path),

    ignore_directive: $ => directive($, $._kw_ignore, 'ignore', $.ignore_spec, $._ignore_block),
    _ignore_block: $ => block($, $.ignore_spec),
    ignore_spec: $ => single($, 'path', $._file_path),
  },
});

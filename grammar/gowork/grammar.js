/**
 * @file go.work grammar for tree-sitter, written from the go command's modfile syntax.
 * @license MIT
 */

const { externals, positions, commonRules, inlined, directive, block, lines, single } = require('../common/common.js');

module.exports = grammar({
  name: 'gowork',

  externals,

  // Blanks and line breaks are skipped by the scanner (a line ends where the next line's first
  // token starts); the pattern lets the parser skip those that end the file.
  extras: $ => [$.comment, $.deprecation_comment, /[ \t\r\n]/],

  supertypes: $ => [$._directive],

  inline: $ => inlined($),

  rules: {
    source_file: $ => repeat($._directive),

    _directive: $ => choice(
      $.go_directive,
      $.toolchain_directive,
      $.godebug_directive,
      $.use_directive,
      $.replace_directive,
      $.unknown_directive,
    ),

    ...commonRules(),

    use_directive: $ => directive(
      $, $._kw_use, 'use', alias($._mid_use_spec, $.use_spec), $._use_block,
    ),
    _use_block: $ => block($, $._use_lines),
    _use_lines: $ => lines($, $.use_spec, $._use_lines),
    _mid_use_spec: $ => single($, positions($).mid, 'path', $._file_path),
    use_spec: $ => single($, positions($).start, 'path', positions($).start.filePath),
  },
});

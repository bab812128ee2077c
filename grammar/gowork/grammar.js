/**
 * @file go.work grammar for tree-sitter, written from the go command's modfile syntax.
 * @license MIT
 */

const {
  externals, positions, commonRules, inlined, specDirective, singleSpec,
} = require('../common/common.js');

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

    ...specDirective('use', singleSpec('path', 'filePath')),
  },
});

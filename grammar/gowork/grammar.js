/**
 * @file go.work grammar for tree-sitter, written from the go command's modfile syntax.
 * @license MIT
 */

const { externals, commonRules, inlined, directive, block, single } = require('../common/common.js');

module.exports = grammar({
  name: 'gowork',

  externals,

  // Blanks are skipped by the scanner; the pattern lets the parser skip blanks that end the file.
  extras: $ => [$.comment, $.deprecation_comment, /[ \t\r]/],

  supertypes: $ => [$._directive],

  inline: $ => inlined($),

  rules: {
    source_file: $ => repeat(choice($._newline, $._directive)),

    _directive: $ => choice(
      $.go_directive,
      $.toolchain_directive,
      $.godebug_directive,
      $.use_directive,
      $.replace_directive,
      $.unknown_directive,
    ),

    ...commonRules(),

    use_directive: $ => directive($, $._kw_use, 'use', $.use_spec, $._use_block),
    _use_block: $ => block($, $.use_spec),
    use_spec: $ => single($, 'path', $._file_path),
  },
});

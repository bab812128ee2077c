/**
 * @file go.sum grammar for tree-sitter, written from the go command's go.sum reader.
 * @license MIT
 *
 * A go.sum line is `path version[/go.mod] hash`, three fields separated by white space. Blank lines
 * are allowed. The go command rejects a line with any other number of fields; here such a line is
 * one ERROR node covering that line, and the lines after it parse as usual.
 */

module.exports = grammar({
  name: 'gosum',

  externals: $ => [
    $._newline,
    $._end_of_file,
    $._path,
    $._version,
    '/go.mod',
    $.hash_algorithm,
    ':',
    $.hash_value,
    $._malformed_line,
    $._error_sentinel,
  ],

  extras: $ => [],

  rules: {
    source_file: $ => repeat(choice($._newline, $.checksum)),

    checksum: $ => seq(
      field('path', alias($._path, $.module_path)),
      field('version', alias($._version, $.version)),
      optional(field('go_mod', '/go.mod')),
      field('hash', $.hash),
      choice($._newline, $._end_of_file),
    ),

    // `h1:base64`; a hash without `:` is only a value (go reads it and later ignores it).
    hash: $ => choice(
      seq($.hash_algorithm, ':', optional($.hash_value)),
      $.hash_value,
    ),

    // Never part of a valid file: the scanner produces it for a line with the wrong number of
    // fields, so that the parser wraps that line, and only that line, in an ERROR node.
    _unused: $ => seq($._malformed_line, $._error_sentinel),
  },
});

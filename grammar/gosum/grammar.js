/**
 * @file go.sum grammar for tree-sitter, written from the go command's go.sum reader.
 * @license MIT
 *
 * A go.sum line is `path version[/go.mod] hash`, three fields separated by white space. Blank lines
 * are allowed. The go command rejects a line with any other number of fields; here such a line is
 * one ERROR node covering that line, and the lines after it parse as usual.
 *
 * Incremental reparsing: tree-sitter cannot reuse the nodes of a repetition as a whole, so a flat
 * list of thousands of lines would be walked line by line after every edit. The lines are therefore
 * grouped into hidden chunks that the tree does not show, and chunks into hidden sections. A chunk
 * ends after a line whose hash field hashes to a value the scanner picks (about one line in 8), a
 * section after a rarer such value (about one line in 128): the end is a zero-width token at the
 * start of the next line, decided by the scanner's state alone. So an edit disturbs only its own
 * chunk and section, and reparsing steps over the others whole.
 *
 * Speed: tree-sitter's cost is mostly per token and per node, so a line has as few as it can: the
 * hash (`h1:base64`, or any other text) is one token, which the typed views split at its first `:`
 * after the first byte into algorithm and value, and a line break is white space, so a checksum
 * ends with its hash (the views add the line break to a line's range).
 */

function checksum($, path) {
  return seq(
    field('path', alias(path, $.module_path)),
    field('version', alias($._version, $.version)),
    optional(field('go_mod', '/go.mod')),
    field('hash', $.hash),
  );
}

module.exports = grammar({
  name: 'gosum',

  externals: $ => [
    $._newline,
    $._path,
    $._version,
    '/go.mod',
    $.hash,
    $._malformed_line,
    $._chunk_path,
    $._chunk_end,
    $._section_path,
    $._section_end,
    $._error_sentinel,
  ],

  // Blanks and line breaks are skipped by the scanner; the pattern lets the parser skip those that
  // end the file.
  extras: $ => [/[ \t\n\r\f\v]/],

  rules: {
    // A line break is a token only while the parser recovers from a malformed line (the scanner
    // skips it otherwise): where one is allowed, between lines, the parser starts afresh.
    source_file: $ => seq(repeat($._newline), repeat($._section)),

    // A section's and a chunk's first and last children are single tokens or nodes (never a
    // repetition), which keeps them reusable as a whole.
    _section: $ => seq($._first_chunk, repeat($._chunk), $._section_end),

    _first_chunk: $ => seq(
      alias($._section_checksum, $.checksum),
      repeat(choice($._newline, $.checksum)),
      $._chunk_end,
    ),

    _chunk: $ => seq(
      alias($._chunk_checksum, $.checksum),
      repeat(choice($._newline, $.checksum)),
      $._chunk_end,
    ),

    _section_checksum: $ => checksum($, $._section_path),

    _chunk_checksum: $ => checksum($, $._chunk_path),

    checksum: $ => checksum($, $._path),
  },
});

/**
 * Rule builders shared by the gomod and gowork grammars.
 *
 * Both files use the go command's modfile syntax (x/mod/modfile/read.go): a file is a sequence of
 * lines and blocks; a line is a verb and its arguments, ended by a line break, a comment or the end
 * of the file; a block is a verb, `(` at the end of its line, lines, and `)` as the first token of a
 * line. All tokens come from the external scanner (common/scanner.h), which lexes exactly as go does.
 *
 * The grammar never rejects what go's syntax parser accepts: a directive with too few or too many
 * arguments is still a directive node (its surplus tokens are `argument` nodes), an unknown verb is
 * an `unknown_directive`, and a block after a verb with arguments (`require x (`) or after a verb
 * that has no block form (`go (`) is a plain `block` of `line`s. Whether such a file is valid is the
 * validator's question; the tree only has ERROR nodes where go's lexer or block structure fails.
 */

/** The external tokens, in the order of `enum TokenType` in scanner.h. */
function externals($) {
  return [
    $._newline,
    $._end_of_file,
    $.comment,
    $.indirect_comment,
    $.deprecation_comment,
    $._word,
    $._file_path_word,
    $.interpreted_string_literal,
    $.raw_string_literal,
    $._block_open,
    $._block_close,
    $._lparen,
    $._rparen,
    '[',
    ']',
    '{',
    '}',
    ',',
    '=>',
    $._godebug_key,
    '=',
    $._godebug_value,
    $._kw_module,
    $._kw_go,
    $._kw_toolchain,
    $._kw_godebug,
    $._kw_require,
    $._kw_exclude,
    $._kw_replace,
    $._kw_retract,
    $._kw_tool,
    $._kw_ignore,
    $._kw_use,
    $._error_sentinel,
  ];
}

/** Rules every modfile-syntax grammar shares. */
function commonRules() {
  return {
    // The end of a line: a line break, or the end of the file (a comment before either is an extra).
    _eol: $ => choice($._newline, $._end_of_file),

    // A token in a position that has no meaning of its own: a surplus argument, the tokens of a line
    // in a block of unknown type, the verb of an unknown directive.
    argument: $ => choice($._value_token, $._punctuation),

    // An argument that starts with punctuation, where a typed node was expected.
    _punctuation_argument: $ => alias($._punctuation, $.argument),

    _value_token: $ => choice($._word, $._file_path_word, $.interpreted_string_literal, $.raw_string_literal),

    _punctuation: $ => choice(
      alias($._lparen, '('), alias($._rparen, ')'), '[', ']', '{', '}', ',',
    ),

    _string: $ => choice($.interpreted_string_literal, $.raw_string_literal),

    // A value is a word or a string. A word is the node itself (the scanner's token, renamed), a
    // string is a node around the string token: one node fewer for the common case. The hidden
    // rules that choose between the two are inlined (see `inlined`), so they add no node either.
    _module_path: $ => choice(alias($._word, $.module_path), $.module_path),
    _version: $ => choice(alias($._word, $.version), $.version),
    _file_path: $ => choice(
      alias($._word, $.file_path), alias($._file_path_word, $.file_path), $.file_path,
    ),
    _go_version: $ => choice(alias($._word, $.go_version), $.go_version),
    _toolchain_name: $ => choice(alias($._word, $.toolchain_name), $.toolchain_name),
    module_path: $ => $._string,
    version: $ => $._string,
    file_path: $ => $._string,
    go_version: $ => $._string,
    toolchain_name: $ => $._string,

    // A block whose verb has no block form or more than one token: its lines are plain tokens.
    _generic_block: $ => block($, $.line),

    line: $ => repeat1($.argument),

    unknown_directive: $ => seq(
      field('name', $.argument),
      repeat($.argument),
      $._line_end_or_block,
    ),

    _line_end_or_block: $ => choice($._eol, seq(alias($._generic_block, $.block), $._eol)),

    go_directive: $ => seq(
      alias($._kw_go, 'go'),
      choice(
        $._line_end_or_block,
        seq(
          choice(field('version', $._go_version), $._punctuation_argument),
          repeat($.argument),
          $._line_end_or_block,
        ),
      ),
    ),

    toolchain_directive: $ => seq(
      alias($._kw_toolchain, 'toolchain'),
      choice(
        $._line_end_or_block,
        seq(
          choice(field('name', $._toolchain_name), $._punctuation_argument),
          repeat($.argument),
          $._line_end_or_block,
        ),
      ),
    ),

    godebug_directive: $ => directive($, $._kw_godebug, 'godebug', $.godebug_spec, $._godebug_block),
    _godebug_block: $ => block($, $.godebug_spec),

    // `key=value`: go splits the one token at its first `=`; the scanner hands the parts over
    // separately. A token without `=` (or starting with it) is a plain argument.
    godebug_spec: $ => seq(
      choice(
        seq(
          field('key', alias($._godebug_key, $.godebug_key)),
          '=',
          optional(field('value', alias($._godebug_value, $.godebug_value))),
        ),
        $.argument,
      ),
      repeat($.argument),
    ),

    replace_directive: $ => directive($, $._kw_replace, 'replace', $.replace_spec, $._replace_block),
    _replace_block: $ => block($, $.replace_spec),

    // `old [version] => new [version]`, with every shorter or longer form kept as a replace_spec.
    replace_spec: $ => choice(
      seq(
        field('path', $._module_path),
        optional(choice(
          seq('=>', optional($._replacement)),
          seq(
            field('version', $._version),
            optional(choice(
              seq('=>', optional($._replacement)),
              seq($.argument, repeat($.argument)),
            )),
          ),
          seq($._punctuation_argument, repeat($.argument)),
        )),
      ),
      seq($._punctuation_argument, repeat($.argument)),
    ),

    _replacement: $ => choice(
      seq(field('replacement', alias($._file_path_word, $.file_path)), repeat($.argument)),
      seq(
        field('replacement', $._module_path),
        optional(seq(
          choice(field('replacement_version', $._version), $._punctuation_argument),
          repeat($.argument),
        )),
      ),
      seq($._punctuation_argument, repeat($.argument)),
    ),
  };
}

/**
 * A directive whose verb has a block form: `verb spec`, `verb ( spec... )`, a bare `verb`, or a verb
 * with arguments followed by a block of unknown type.
 */
function directive($, keyword, text, spec, specBlock) {
  return seq(
    alias(keyword, text),
    choice(
      $._eol,
      seq(alias(specBlock, $.block), $._eol),
      seq(spec, $._line_end_or_block),
    ),
  );
}

/**
 * `(`, then either `)` on the same line (an empty block) or a line break, lines of `item` and blank
 * lines, and `)` as the first token of a line.
 */
function block($, item) {
  return seq(
    alias($._block_open, '('),
    optional(seq(
      $._newline,
      repeat(choice($._newline, seq(item, $._eol))),
    )),
    alias($._block_close, ')'),
  );
}

/** A spec of one typed value, with any surplus arguments after it. */
function single($, name, node) {
  return seq(
    choice(field(name, node), $._punctuation_argument),
    repeat($.argument),
  );
}

/** The hidden rules every grammar inlines: each would otherwise be a node of its own. */
function inlined($) {
  return [$._module_path, $._version, $._file_path, $._go_version, $._toolchain_name];
}

module.exports = { externals, commonRules, inlined, directive, block, single };

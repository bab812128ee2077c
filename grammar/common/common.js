/**
 * Rule builders shared by the gomod and gowork grammars.
 *
 * Both files use the go command's modfile syntax (x/mod/modfile/read.go): a file is a sequence of
 * lines and blocks; a line is a verb and its arguments, ended by a line break, a comment or the end
 * of the file; a block is a verb, `(` at the end of its line, lines, and `)` as the first token of a
 * line. All tokens come from the external scanner (common/scanner.h), which lexes exactly as go does.
 *
 * Line breaks are not tokens (tree-sitter's cost is per token and per node): the scanner gives the
 * first token of every line a kind of its own (a keyword, the `)` that closes a block, or a `_line_*`
 * token), so a line ends where the next line's first token starts, or at the end of the file. Each
 * spec therefore has two rules: the named one for a line of a block, and a `_mid_` one for the spec
 * after the verb, aliased to the same name.
 * A comment after a line's last token is a sibling of the line's node, not its child.
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
    $._line_word,
    $._line_interpreted_string,
    $._line_raw_string,
    $._line_lparen,
    $._line_rparen,
    $._line_lbracket,
    $._line_rbracket,
    $._line_lbrace,
    $._line_rbrace,
    $._line_comma,
    $._line_godebug_key,
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

/**
 * The typed first elements of a spec in one position: `mid` after a verb on the verb's line
 * (`require a v1`), `start` as the first token of a line in a block (the scanner's `_line_*`
 * tokens). Everything after a spec's first token is a mid-line token either way.
 */
function positions($) {
  return {
    mid: {
      lineStart: false,
      modulePath: $._module_path,
      version: $._version,
      filePath: $._file_path,
      punctuationArgument: $._punctuation_argument,
      argument: $.argument,
      godebugKey: alias($._godebug_key, $.godebug_key),
      retractPunctuation: alias(choice($._lparen, $._rparen, ']', '{', '}', ','), $.argument),
    },
    start: {
      lineStart: true,
      modulePath: choice(alias($._line_word, $.module_path), alias($._line_string, $.module_path)),
      version: choice(alias($._line_word, $.version), alias($._line_string, $.version)),
      filePath: choice(alias($._line_word, $.file_path), alias($._line_string, $.file_path)),
      punctuationArgument: alias($._line_punctuation, $.argument),
      argument: alias($._line_argument, $.argument),
      godebugKey: alias($._line_godebug_key, $.godebug_key),
      retractPunctuation: alias(
        choice($._line_lparen, $._line_rparen, $._line_rbracket, $._line_lbrace, $._line_rbrace, $._line_comma),
        $.argument,
      ),
    },
  };
}

/** Rules every modfile-syntax grammar shares. */
function commonRules() {
  return {
    // A token in a position that has no meaning of its own: a surplus argument, the tokens of a line
    // in a block of unknown type, the verb of an unknown directive.
    argument: $ => choice($._value_token, $._punctuation),

    // The same as the first token of a line.
    _line_argument: $ => choice($._line_value_token, $._line_punctuation),

    // An argument that starts with punctuation, where a typed node was expected.
    _punctuation_argument: $ => alias($._punctuation, $.argument),

    _value_token: $ => choice($._word, $._file_path_word, $.interpreted_string_literal, $.raw_string_literal),

    _line_value_token: $ => choice($._line_word, $._line_string),

    _punctuation: $ => choice(
      alias($._lparen, '('), alias($._rparen, ')'), '[', ']', '{', '}', ',',
    ),

    _line_punctuation: $ => choice(
      alias($._line_lparen, '('), alias($._line_rparen, ')'), alias($._line_lbracket, '['),
      alias($._line_rbracket, ']'), alias($._line_lbrace, '{'), alias($._line_rbrace, '}'),
      alias($._line_comma, ','),
    ),

    _string: $ => choice($.interpreted_string_literal, $.raw_string_literal),

    _line_string: $ => choice(
      alias($._line_interpreted_string, $.interpreted_string_literal),
      alias($._line_raw_string, $.raw_string_literal),
    ),

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
    _generic_block: $ => block($, $._generic_lines),
    _generic_lines: $ => lines($, $.line, $._generic_lines),

    line: $ => seq(alias($._line_argument, $.argument), repeat($.argument)),

    unknown_directive: $ => seq(
      field('name', alias($._line_argument, $.argument)),
      repeat($.argument),
      optional($._trailing_block),
    ),

    // A block after a verb with arguments, or after a verb without a block form.
    _trailing_block: $ => alias($._generic_block, $.block),

    go_directive: $ => seq(
      alias($._kw_go, 'go'),
      optional(choice(
        $._trailing_block,
        seq(
          choice(field('version', $._go_version), $._punctuation_argument),
          repeat($.argument),
          optional($._trailing_block),
        ),
      )),
    ),

    toolchain_directive: $ => seq(
      alias($._kw_toolchain, 'toolchain'),
      optional(choice(
        $._trailing_block,
        seq(
          choice(field('name', $._toolchain_name), $._punctuation_argument),
          repeat($.argument),
          optional($._trailing_block),
        ),
      )),
    ),

    // `key=value`: go splits the one token at its first `=`; the scanner hands the parts over
    // separately. A token without `=` (or starting with it) is a plain argument.
    ...specDirective('godebug', godebugSpec),

    // `old [version] => new [version]`, with every shorter or longer form kept as a replace_spec.
    ...specDirective('replace', replaceSpec),

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

function godebugSpec($, at) {
  return seq(
    choice(
      seq(
        field('key', at.godebugKey),
        '=',
        optional(field('value', alias($._godebug_value, $.godebug_value))),
      ),
      at.argument,
    ),
    repeat($.argument),
  );
}

function replaceSpec($, at) {
  return choice(
    seq(
      field('path', at.modulePath),
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
    seq(at.punctuationArgument, repeat($.argument)),
  );
}

/**
 * A directive whose verb has a block form: `verb spec`, `verb ( spec... )`, a bare `verb`, or a verb
 * with arguments followed by a block of unknown type. A line ends where the next line's first token
 * (a `_line_*` token or a keyword) starts, or at the end of the file: line breaks are not tokens.
 */
function directive($, keyword, text, spec, specBlock) {
  return seq(
    alias(keyword, text),
    optional(choice(
      alias(specBlock, $.block),
      seq(spec, optional($._trailing_block)),
    )),
  );
}

/**
 * `(` at the end of its line (or `()`, an empty block), the lines of the block (each starts with the
 * first token of a line; blank lines are not tokens), and `)` as the first token of a line.
 */
function block($, lines) {
  return seq(
    alias($._block_open, '('),
    optional(lines),
    alias($._block_close, ')'),
  );
}

/**
 * The lines of a block: an item and the lines after it, if any. A right-recursive list rather than
 * `repeat`: tree-sitter builds a repetition left-deep and rebalances it after every parse (rotations
 * that summarize three nodes each, a seventh of a go.mod parse); this list needs no balancing, and
 * has the same one hidden node per line.
 */
function lines($, item, self) {
  return seq(item, optional(self));
}

/**
 * The rules of a directive `verb` with a spec and a block form: the directive, its block, the block's
 * lines, and the spec in both positions (`spec($, at)` builds it for one of `positions($)`).
 */
function specDirective(verb, spec) {
  return {
    [`${verb}_directive`]: $ => directive(
      $, $[`_kw_${verb}`], verb, alias($[`_mid_${verb}_spec`], $[`${verb}_spec`]), $[`_${verb}_block`],
    ),
    [`_${verb}_block`]: $ => block($, $[`_${verb}_lines`]),
    [`_${verb}_lines`]: $ => lines($, $[`${verb}_spec`], $[`_${verb}_lines`]),
    [`_mid_${verb}_spec`]: $ => spec($, positions($).mid),
    [`${verb}_spec`]: $ => spec($, positions($).start),
  };
}

/** A spec of one typed value at the start, `path` or the like, with any surplus arguments. */
function singleSpec(name, value) {
  return ($, at) => single($, at, name, at[value]);
}

/** A spec of one typed value, with any surplus arguments after it. */
function single($, at, name, node) {
  return seq(
    choice(field(name, node), at.punctuationArgument),
    repeat($.argument),
  );
}

/** The hidden rules every grammar inlines: each would otherwise be a node of its own. */
function inlined($) {
  return [$._module_path, $._version, $._file_path, $._go_version, $._toolchain_name];
}

module.exports = {
  externals, positions, commonRules, inlined, directive, block, lines, single, specDirective, singleSpec,
};

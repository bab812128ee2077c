// The external scanner shared by the gomod and gowork grammars.
//
// It lexes exactly as the go command's modfile lexer does (x/mod/modfile/read.go):
//   - only space, tab and carriage return separate tokens; a lone CR is not a line break;
//   - `//` starts a comment that runs to the end of the line, also in the middle of a word;
//   - `/*` anywhere outside a string is an error;
//   - `\n ( ) [ ] { } ,` are one-byte tokens; everything else that is printable and not a space is
//     part of a word, so `=>`, `@`, `;` and `:` are word characters and `a=>b` is one word;
//   - strings are "interpreted" (a backslash skips the next character) or `raw`, and may not
//     contain a newline;
//   - `(` starts a block only when a line break (or a comment, or the end of the file) follows it,
//     or `)` and then a line break (an empty block); `)` ends a block only as the first token of a
//     line inside the block.
// Which of several token kinds a lexeme becomes (keyword or word, block paren or plain paren,
// `=>` or word, `// indirect` or plain comment) is decided by what the parser can accept there,
// which the grammar arranges to be exactly where the go command makes the same decision.
//
// Line breaks are not tokens: they are skipped like blanks, and the first token of a line has kinds
// of its own (a keyword, `)` closing a block, or a `LINE_*` kind), so the parser sees a line end
// where the next line starts. Keywords, block parens, `=>`, godebug's `=` and value, file path
// words and `// indirect` are never the first token of a line; `LINE_*` tokens always are. This
// saves a token per line, and the node that tied each line to its line break.
//
// The including file defines GRAMMAR_KEYWORDS, the bit set of keywords its grammar knows.

#include "tree_sitter/parser.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

enum TokenType {
  COMMENT,
  INDIRECT_COMMENT,
  DEPRECATION_COMMENT,
  WORD,
  FILE_PATH_WORD,
  INTERPRETED_STRING,
  RAW_STRING,
  BLOCK_OPEN,
  BLOCK_CLOSE,
  LPAREN,
  RPAREN,
  LBRACKET,
  RBRACKET,
  LBRACE,
  RBRACE,
  COMMA,
  ARROW,
  GODEBUG_KEY,
  GODEBUG_EQUALS,
  GODEBUG_VALUE,
  LINE_WORD,
  LINE_INTERPRETED_STRING,
  LINE_RAW_STRING,
  LINE_LPAREN,
  LINE_RPAREN,
  LINE_LBRACKET,
  LINE_RBRACKET,
  LINE_LBRACE,
  LINE_RBRACE,
  LINE_COMMA,
  LINE_GODEBUG_KEY,
  KW_MODULE,
  KW_GO,
  KW_TOOLCHAIN,
  KW_GODEBUG,
  KW_REQUIRE,
  KW_EXCLUDE,
  KW_REPLACE,
  KW_RETRACT,
  KW_TOOL,
  KW_IGNORE,
  KW_USE,
  ERROR_SENTINEL,
};

#define KEYWORD_COUNT 11
static const char *const KEYWORDS[KEYWORD_COUNT] = {
    "module", "go",      "toolchain", "godebug", "require", "exclude",
    "replace", "retract", "tool",      "ignore",  "use",
};
static const unsigned char KEYWORD_LENGTHS[KEYWORD_COUNT] = {6, 2, 9, 7, 7, 7, 7, 7, 4, 6, 3};

#define KEYWORD_BIT(token) (1u << ((token) - KW_MODULE))

// The longest keyword is 9 bytes; a word of up to this many bytes is kept for comparison.
#define WORD_BUFFER_SIZE 16

typedef struct {
  // True when no token but comments has been produced since the last line break (or the start of
  // the file): the next token is the first of its line.
  bool at_line_start;
} Scanner;

static inline void advance(TSLexer *lexer) { lexer->advance(lexer, false); }
static inline void skip(TSLexer *lexer) { lexer->advance(lexer, true); }

// Go's unicode.IsSpace.
static bool is_unicode_space(int32_t c) {
  switch (c) {
  case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
  case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F:
  case 0x205F: case 0x3000:
    return true;
  default:
    return c >= 0x2000 && c <= 0x200A;
  }
}

// An approximation of Go's unicode.IsPrint for the tree's sake: controls, format characters,
// separators, surrogates, private use and noncharacters are not printable. The syntax crate checks
// every word against the exact tables, so a rare disagreement here changes the tree's shape, never
// a diagnostic.
static bool is_print(int32_t c) {
  if (c < 0) return true; // an invalid UTF-8 byte decodes as U+FFFD, which is printable
  if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) return false;
  if (c == 0xAD || c == 0x61C || c == 0x180E) return false;
  if (c >= 0x600 && c <= 0x605) return false;
  if (c >= 0x200B && c <= 0x200F) return false;
  if (c >= 0x202A && c <= 0x202E) return false;
  if (c >= 0x2060 && c <= 0x206F) return false;
  if (c == 0xFEFF) return false;
  if (c >= 0xFFF9 && c <= 0xFFFB) return false;
  if (c >= 0xD800 && c <= 0xF8FF) return false; // surrogates and private use
  if ((c & 0xFFFE) == 0xFFFE) return false;     // noncharacters U+xxFFFE and U+xxFFFF
  if (c >= 0xF0000) return false;               // supplementary private use
  if (c >= 0xE0000 && c <= 0xE007F) return false;
  return true;
}

// Go's isIdent in read.go.
static bool is_ident(int32_t c) {
  switch (c) {
  case ' ': case '(': case ')': case '[': case ']': case '{': case '}': case ',':
    return false;
  default:
    return !is_unicode_space(c) && is_print(c);
  }
}

// The end of the input reads as NUL, so a NUL byte alone asks the lexer (a call through a pointer)
// whether the input is over.
static inline bool at_eof(TSLexer *lexer) { return lexer->lookahead == 0 && lexer->eof(lexer); }

// After the current position (spaces, tabs and CRs skipped), does a line end: a newline, a comment
// or the end of the file? Consumes input, so call it only after mark_end.
static bool line_ends_here(TSLexer *lexer) {
  while (lexer->lookahead == ' ' || lexer->lookahead == '\t' || lexer->lookahead == '\r') {
    advance(lexer);
  }
  if (lexer->lookahead == '\n' || at_eof(lexer)) return true;
  if (lexer->lookahead != '/') return false;
  advance(lexer);
  return lexer->lookahead == '/';
}

// Reads the rest of a comment after its `//` up to the end of the line, leaving a CR that ends the
// line out of the token. Classifies it on the way: go's indirect marker (the text split on white
// space is exactly ["indirect"], or starts with the field "indirect;" followed by more fields) and a
// deprecation (the text, trimmed, starts with "Deprecated:").
static void scan_comment_body(TSLexer *lexer, bool *is_indirect, bool *is_deprecation) {
  char text[24];
  unsigned text_len = 0;
  unsigned field_count = 0;
  bool in_field = false;
  bool first_field_is_indirect = false;
  bool first_field_is_indirect_semicolon = false;
  char field[16];
  unsigned field_len = 0;
  bool field_overflow = false;
  bool leading = true;

  // The token's end is marked only before a CR and at the end, not after every byte: `unmarked`
  // says whether bytes other than CR follow the last mark.
  lexer->mark_end(lexer);
  bool unmarked = false;
  while (lexer->lookahead != '\n' && !at_eof(lexer)) {
    int32_t c = lexer->lookahead;
    if (c == '\r') {
      if (unmarked) lexer->mark_end(lexer);
      unmarked = false;
    } else {
      unmarked = true;
    }
    advance(lexer);
    bool space = is_unicode_space(c);
    if (leading && space) continue;
    leading = false;
    if (text_len < sizeof text) text[text_len++] = (c >= 0 && c < 0x80) ? (char)c : '\x01';
    if (space) {
      if (in_field) {
        if (field_count == 1) {
          first_field_is_indirect = !field_overflow && field_len == 8 && memcmp(field, "indirect", 8) == 0;
          first_field_is_indirect_semicolon = !field_overflow && field_len == 9 && memcmp(field, "indirect;", 9) == 0;
        }
        in_field = false;
      }
    } else {
      if (!in_field) {
        in_field = true;
        field_count++;
        field_len = 0;
        field_overflow = false;
      }
      if (field_count == 1) {
        if (field_len < sizeof field) {
          field[field_len++] = (c >= 0 && c < 0x80) ? (char)c : '\x01';
        } else {
          field_overflow = true;
        }
      }
    }
  }
  if (unmarked) lexer->mark_end(lexer);
  if (in_field && field_count == 1) {
    first_field_is_indirect = !field_overflow && field_len == 8 && memcmp(field, "indirect", 8) == 0;
    first_field_is_indirect_semicolon = !field_overflow && field_len == 9 && memcmp(field, "indirect;", 9) == 0;
  }
  *is_indirect = (field_count == 1 && first_field_is_indirect) ||
                 (field_count >= 2 && first_field_is_indirect_semicolon);
  *is_deprecation = text_len >= 11 && memcmp(text, "Deprecated:", 11) == 0;
}

// Is the word one of the directory path forms of modfile's IsDirectoryPath?
static bool looks_like_directory(const char *word, unsigned len) {
  if (len == 0) return false;
  if (len == 1 && word[0] == '.') return true;
  if (len == 2 && word[0] == '.' && word[1] == '.') return true;
  if (word[0] == '/' || word[0] == '\\') return true;
  if (len >= 2 && word[0] == '.' && (word[1] == '/' || word[1] == '\\')) return true;
  if (len >= 3 && word[0] == '.' && word[1] == '.' && (word[2] == '/' || word[2] == '\\')) return true;
  if (len >= 2 && word[1] == ':' &&
      ((word[0] >= 'a' && word[0] <= 'z') || (word[0] >= 'A' && word[0] <= 'Z'))) {
    return true;
  }
  return false;
}

static bool scan_string(TSLexer *lexer, int32_t quote) {
  advance(lexer);
  for (;;) {
    if (lexer->lookahead == '\n' || at_eof(lexer)) return false;
    int32_t c = lexer->lookahead;
    advance(lexer);
    if (c == quote) break;
    if (c == '\\' && quote == '"') {
      // go skips the rune after a backslash whatever it is, a newline too (the string is then
      // rejected when it is unquoted, not when it is lexed).
      if (at_eof(lexer)) return false;
      advance(lexer);
    }
  }
  lexer->mark_end(lexer);
  return true;
}

// Scans a word: the longest run of identifier characters, stopping before `//` (`/*` is an error
// that the next call reports), then decides its kind. When `after_slash` is set, a leading `/` has
// already been consumed (and is part of the word). `line_start` says whether the word is the first
// token of its line.
static bool scan_word(TSLexer *lexer, const bool *valid, unsigned keywords, bool recovering,
                      bool after_slash, bool skipped_blanks, bool line_start) {
  char word[WORD_BUFFER_SIZE];
  unsigned len = 0;
  bool godebug_key = !recovering && !after_slash &&
                     (line_start ? valid[LINE_GODEBUG_KEY] : valid[GODEBUG_KEY]);

  if (after_slash) word[len++] = '/';

  for (;;) {
    int32_t ch = lexer->lookahead;
    if (ch > ' ' && ch < 0x7F) {
      switch (ch) {
      case '(': case ')': case '[': case ']': case '{': case '}': case ',':
        goto end;
      case '/':
        lexer->mark_end(lexer);
        advance(lexer);
        if (lexer->lookahead == '/' || lexer->lookahead == '*') goto classify;
        if (len < WORD_BUFFER_SIZE) word[len] = '/';
        len++;
        continue;
      case '=':
        if (godebug_key && len > 0) {
          // go splits a godebug setting at its first '='; here the key is a token of its own.
          lexer->mark_end(lexer);
          lexer->result_symbol = line_start ? LINE_GODEBUG_KEY : GODEBUG_KEY;
          return true;
        }
        break;
      default:
        break;
      }
      advance(lexer);
      if (len < WORD_BUFFER_SIZE) word[len] = (char)ch;
      len++;
      continue;
    }
    if (!is_ident(ch)) break; // also at the end of the input, which reads as NUL
    advance(lexer);
    if (len < WORD_BUFFER_SIZE) word[len] = (ch >= 0 && ch < 0x80) ? (char)ch : '\x01';
    len++;
  }
end:
  lexer->mark_end(lexer);

classify:
  if (line_start) {
    if (len >= 2 && len <= 9) {
      for (unsigned k = 0; k < KEYWORD_COUNT; k++) {
        unsigned token = KW_MODULE + k;
        if (!(keywords & KEYWORD_BIT(token))) continue;
        if (KEYWORD_LENGTHS[k] != len || memcmp(KEYWORDS[k], word, len) != 0) continue;
        if (recovering || valid[token]) {
          lexer->result_symbol = (enum TokenType)token;
          return true;
        }
      }
    }
    lexer->result_symbol = LINE_WORD;
    return true;
  }
  if (!recovering && len == 2 && word[0] == '=' && word[1] == '>' && valid[ARROW]) {
    lexer->result_symbol = ARROW;
    return true;
  }
  if (valid[GODEBUG_VALUE] && !recovering && !skipped_blanks) {
    lexer->result_symbol = GODEBUG_VALUE;
    return true;
  }
  if (valid[FILE_PATH_WORD] && !recovering &&
      looks_like_directory(word, len < WORD_BUFFER_SIZE ? len : WORD_BUFFER_SIZE)) {
    lexer->result_symbol = FILE_PATH_WORD;
    return true;
  }
  lexer->result_symbol = WORD;
  return true;
}

// A one-byte token of the given kind.
static bool one_byte(TSLexer *lexer, enum TokenType kind) {
  advance(lexer);
  lexer->mark_end(lexer);
  lexer->result_symbol = kind;
  return true;
}

static bool scan(Scanner *scanner, TSLexer *lexer, const bool *valid, unsigned keywords) {
  bool recovering = valid[ERROR_SENTINEL];

  // Blanks and line breaks are skipped; a line break makes the next token the first of a line.
  // (When no token is found the parser restores the scanner's state, so setting it early is safe.)
  bool skipped_blanks = false;
  for (;;) {
    int32_t c = lexer->lookahead;
    if (c == ' ' || c == '\t' || c == '\r') {
      skip(lexer);
      skipped_blanks = true;
    } else if (c == '\n') {
      skip(lexer);
      skipped_blanks = true;
      scanner->at_line_start = true;
    } else {
      break;
    }
  }
  bool line_start = scanner->at_line_start;

  if (at_eof(lexer)) return false;

  int32_t c = lexer->lookahead;

  if (c == '/') {
    advance(lexer);
    if (lexer->lookahead == '*') return false; // go: mod files must use // comments
    if (lexer->lookahead != '/') {
      // A word that starts with a single slash, such as an absolute directory.
      lexer->mark_end(lexer);
      scanner->at_line_start = false;
      return scan_word(lexer, valid, keywords, recovering, true, skipped_blanks, line_start);
    }
    advance(lexer);
    bool is_indirect = false;
    bool is_deprecation = false;
    scan_comment_body(lexer, &is_indirect, &is_deprecation);
    // A comment leaves the line position as it was.
    if (is_indirect && !line_start && valid[INDIRECT_COMMENT] && !recovering) {
      lexer->result_symbol = INDIRECT_COMMENT;
    } else if (is_deprecation) {
      lexer->result_symbol = DEPRECATION_COMMENT;
    } else {
      lexer->result_symbol = COMMENT;
    }
    return true;
  }

  scanner->at_line_start = false;

  if (c == '"' || c == '`') {
    if (!scan_string(lexer, c)) return false;
    if (c == '"') {
      lexer->result_symbol = line_start ? LINE_INTERPRETED_STRING : INTERPRETED_STRING;
    } else {
      lexer->result_symbol = line_start ? LINE_RAW_STRING : RAW_STRING;
    }
    return true;
  }

  switch (c) {
  case '(': {
    advance(lexer);
    lexer->mark_end(lexer);
    if (!line_start && (valid[BLOCK_OPEN] || recovering)) {
      // `(` then the end of the line, or `)` then the end of the line (an empty block).
      while (lexer->lookahead == ' ' || lexer->lookahead == '\t' || lexer->lookahead == '\r') {
        advance(lexer);
      }
      if (lexer->lookahead == ')') advance(lexer);
      if (line_ends_here(lexer)) {
        lexer->result_symbol = BLOCK_OPEN;
        return true;
      }
    }
    lexer->result_symbol = line_start ? LINE_LPAREN : LPAREN;
    return true;
  }
  case ')':
    advance(lexer);
    lexer->mark_end(lexer);
    // `)` closes a block as the first token of a line, or right after the `(` of an empty block
    // (where no mid-line token is valid).
    if (recovering ? line_start : valid[BLOCK_CLOSE] && (line_start || !valid[RPAREN])) {
      lexer->result_symbol = BLOCK_CLOSE;
    } else {
      lexer->result_symbol = line_start ? LINE_RPAREN : RPAREN;
    }
    return true;
  case '[': return one_byte(lexer, line_start ? LINE_LBRACKET : LBRACKET);
  case ']': return one_byte(lexer, line_start ? LINE_RBRACKET : RBRACKET);
  case '{': return one_byte(lexer, line_start ? LINE_LBRACE : LBRACE);
  case '}': return one_byte(lexer, line_start ? LINE_RBRACE : RBRACE);
  case ',': return one_byte(lexer, line_start ? LINE_COMMA : COMMA);
  default:
    break;
  }

  if (c == '=' && !line_start && valid[GODEBUG_EQUALS] && !recovering) {
    advance(lexer);
    lexer->mark_end(lexer);
    lexer->result_symbol = GODEBUG_EQUALS;
    return true;
  }

  if (!is_ident(c)) return false; // go: unexpected input character
  return scan_word(lexer, valid, keywords, recovering, false, skipped_blanks, line_start);
}

static void *scanner_create(void) {
  Scanner *scanner = (Scanner *)calloc(1, sizeof(Scanner));
  if (scanner) scanner->at_line_start = true;
  return scanner;
}

static void scanner_destroy(void *payload) { free(payload); }

static unsigned scanner_serialize(void *payload, char *buffer) {
  Scanner *scanner = (Scanner *)payload;
  buffer[0] = scanner->at_line_start ? 1 : 0;
  return 1;
}

static void scanner_deserialize(void *payload, const char *buffer, unsigned length) {
  Scanner *scanner = (Scanner *)payload;
  scanner->at_line_start = length > 0 ? buffer[0] != 0 : true;
}

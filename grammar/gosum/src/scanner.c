// The external scanner of the gosum grammar.
//
// go reads go.sum line by line (split at '\n') and splits each line into fields at Unicode white
// space (strings.Fields). A line with no field is skipped; a line with other than three fields is
// malformed. Each token looks just past its own field, so every byte is read once: the path sees
// whether a second field follows, the version whether a third does, the hash whether a fourth
// does. A line that turns out malformed ends with a token the grammar cannot accept, and the line
// break after it is then a token of its own (everywhere else line breaks are white space), on which
// the parser recovers: exactly one ERROR for that line.

#include "tree_sitter/parser.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

enum TokenType {
  NEWLINE,
  PATH,
  VERSION,
  GO_MOD_SUFFIX,
  HASH,
  MALFORMED_LINE,
  CHUNK_PATH,
  CHUNK_END,
  SECTION_PATH,
  SECTION_END,
  ERROR_SENTINEL,
};

// One line in about this many ends a chunk, and in about this many a section (see grammar.js);
// powers of two, the second a multiple of the first.
#define CHUNK_SPREAD 8u
#define SECTION_SPREAD 128u

static inline void advance(TSLexer *lexer) { lexer->advance(lexer, false); }
static inline void skip(TSLexer *lexer) { lexer->advance(lexer, true); }

// Go's unicode.IsSpace, without '\n', which ends a line.
static bool is_blank(int32_t c) {
  switch (c) {
  case '\t': case '\v': case '\f': case '\r': case ' ':
  case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F:
  case 0x205F: case 0x3000:
    return true;
  default:
    return c >= 0x2000 && c <= 0x200A;
  }
}

// Is the lookahead part of a field (not white space, not a line break, not the end of the file)?
// Most bytes of a go.sum are printable ASCII, decided by the first test; the end of the file reads
// as NUL, so only a NUL asks the lexer (a call through a pointer) whether the input is over.
static inline bool in_field(TSLexer *lexer) {
  int32_t c = lexer->lookahead;
  if (c > ' ' && c < 0x7F) return true;
  if (c == 0) return !lexer->eof(lexer);
  return c != '\n' && !is_blank(c);
}

// Is the lookahead white space other than a line break?
static inline bool at_blank(TSLexer *lexer) {
  int32_t c = lexer->lookahead;
  return (c <= ' ' || c >= 0x7F) && is_blank(c);
}

static inline bool at_end(TSLexer *lexer) {
  return lexer->lookahead == 0 && lexer->eof(lexer);
}

static bool skip_blanks(TSLexer *lexer) {
  bool skipped = false;
  while (at_blank(lexer)) {
    skip(lexer);
    skipped = true;
  }
  return skipped;
}

// Scans the version field. When it ends with "/go.mod", marks the token's end before it and
// answers true; otherwise stops at the field's end, unmarked.
static bool scan_version(TSLexer *lexer) {
  static const char suffix[] = "/go.mod";
  for (;;) {
    if (!in_field(lexer)) return false;
    if (lexer->lookahead == '/') {
      lexer->mark_end(lexer);
      unsigned matched = 0;
      while (matched < 7 && lexer->lookahead == suffix[matched]) {
        advance(lexer);
        matched++;
      }
      if (matched == 7 && !in_field(lexer)) return true;
      if (matched == 0) advance(lexer);
      continue;
    }
    advance(lexer);
  }
}

// The scanner's state, set by the last token: whether it was a malformed line (the line break after
// one is a token, so that the parser, recovering, starts afresh on the next line), and whether it
// was a hash that ends a chunk or a section (the next line then starts with the zero-width end).
typedef struct {
  bool after_malformed;
  bool ends_chunk;
  bool ends_section;
} Scanner;

bool tree_sitter_gosum_external_scanner_scan(void *payload, TSLexer *lexer, const bool *valid) {
  Scanner *scanner = (Scanner *)payload;
  bool recovering = valid[ERROR_SENTINEL];
  bool after_malformed = scanner->after_malformed;
  bool ends_chunk = scanner->ends_chunk;
  bool ends_section = scanner->ends_section;
  scanner->after_malformed = false;
  scanner->ends_chunk = false;
  scanner->ends_section = false;

  // Blanks and line breaks are white space, but after a malformed line, and while the parser
  // recovers, a line break is a token of its own: the parser starts afresh after it. So is one
  // in the middle of a line (which the look-ahead of the path and version tokens rules out).
  bool skipped = false;
  for (;;) {
    skipped = skip_blanks(lexer) || skipped;
    if (lexer->lookahead != '\n') break;
    if (recovering || (after_malformed && valid[NEWLINE]) || valid[VERSION] || valid[HASH]) {
      advance(lexer);
      lexer->mark_end(lexer);
      lexer->result_symbol = NEWLINE;
      return true;
    }
    skip(lexer);
  }

  if (!recovering && ends_chunk && valid[CHUNK_END]) {
    lexer->mark_end(lexer);
    lexer->result_symbol = CHUNK_END;
    scanner->ends_section = ends_section;
    return true;
  }
  if (!recovering && ends_section && valid[SECTION_END]) {
    lexer->mark_end(lexer);
    lexer->result_symbol = SECTION_END;
    return true;
  }

  if (at_end(lexer)) {
    if (recovering) return false;
    if (valid[CHUNK_END] || valid[SECTION_END]) {
      lexer->mark_end(lexer);
      lexer->result_symbol = valid[CHUNK_END] ? CHUNK_END : SECTION_END;
      return true;
    }
    return false;
  }

  if ((valid[PATH] || valid[CHUNK_PATH] || valid[SECTION_PATH]) && !recovering) {
    // The first field of a line: the first of a section, of a chunk, or another (the parser accepts
    // exactly one of them here).
    while (in_field(lexer)) advance(lexer);
    // A line of one field is malformed. A line of two, or of four and more, is found out by its
    // version or its hash, which then becomes the malformed token.
    lexer->mark_end(lexer);
    while (at_blank(lexer)) advance(lexer);
    if (!in_field(lexer)) {
      lexer->result_symbol = MALFORMED_LINE;
      scanner->after_malformed = true;
      return true;
    }
    lexer->result_symbol = valid[PATH] ? PATH : valid[CHUNK_PATH] ? CHUNK_PATH : SECTION_PATH;
    return true;
  }

  if (valid[VERSION] && !recovering) {
    // The version, then a look past it (and past "/go.mod") for a third field: without one the
    // line is malformed.
    if (!scan_version(lexer)) lexer->mark_end(lexer);
    while (at_blank(lexer)) advance(lexer);
    if (in_field(lexer)) {
      lexer->result_symbol = VERSION;
    } else {
      lexer->result_symbol = MALFORMED_LINE;
      scanner->after_malformed = true;
    }
    return true;
  }

  // "/go.mod" right after the version, which stopped before it only at the end of its field.
  if (valid[GO_MOD_SUFFIX] && !recovering && !skipped && lexer->lookahead == '/') {
    for (unsigned i = 0; i < 7; i++) advance(lexer);
    lexer->mark_end(lexer);
    lexer->result_symbol = GO_MOD_SUFFIX;
    return true;
  }

  // The hash, or a field anywhere else (while recovering). The hash of a hash (whose value is as
  // good as random) decides whether the line ends a chunk or a section.
  uint32_t hash = 2166136261u; // FNV-1a
  while (in_field(lexer)) {
    hash = (hash ^ (uint32_t)lexer->lookahead) * 16777619u;
    advance(lexer);
  }
  lexer->mark_end(lexer);
  if (valid[HASH] && !recovering) {
    // A fourth field makes the line malformed: the token then runs to the line's last field.
    while (at_blank(lexer)) advance(lexer);
    if (!in_field(lexer)) {
      lexer->result_symbol = HASH;
      scanner->ends_chunk = (hash & (CHUNK_SPREAD - 1)) == 0;
      scanner->ends_section = (hash & (SECTION_SPREAD - 1)) == 0;
      return true;
    }
    while (lexer->lookahead != '\n' && !at_end(lexer)) {
      bool blank = at_blank(lexer);
      advance(lexer);
      if (!blank) lexer->mark_end(lexer);
    }
  }
  lexer->result_symbol = MALFORMED_LINE;
  scanner->after_malformed = true;
  return true;
}

void *tree_sitter_gosum_external_scanner_create(void) { return calloc(1, sizeof(Scanner)); }

void tree_sitter_gosum_external_scanner_destroy(void *payload) { free(payload); }

unsigned tree_sitter_gosum_external_scanner_serialize(void *payload, char *buffer) {
  Scanner *scanner = (Scanner *)payload;
  char bits = (char)((scanner->after_malformed ? 1 : 0) | (scanner->ends_chunk ? 2 : 0) |
                     (scanner->ends_section ? 4 : 0));
  if (bits == 0) return 0;
  buffer[0] = bits;
  return 1;
}

void tree_sitter_gosum_external_scanner_deserialize(void *payload, const char *buffer,
                                                    unsigned length) {
  Scanner *scanner = (Scanner *)payload;
  char bits = length > 0 ? buffer[0] : 0;
  scanner->after_malformed = (bits & 1) != 0;
  scanner->ends_chunk = (bits & 2) != 0;
  scanner->ends_section = (bits & 4) != 0;
}

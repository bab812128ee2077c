// The external scanner of the gosum grammar.
//
// go reads go.sum line by line (split at '\n') and splits each line into fields at Unicode white
// space (strings.Fields). A line with no field is skipped; a line with other than three fields is
// malformed. The scanner counts the fields of a line before it hands over the first one, so that a
// malformed line becomes one token the grammar cannot accept: exactly one ERROR for that line.

#include "tree_sitter/parser.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

enum TokenType {
  NEWLINE,
  END_OF_FILE,
  PATH,
  VERSION,
  GO_MOD_SUFFIX,
  HASH_ALGORITHM,
  COLON,
  HASH_VALUE,
  MALFORMED_LINE,
  CHUNK_PATH,
  CHUNK_END,
  SECTION_PATH,
  SECTION_END,
  ERROR_SENTINEL,
};

// One module path in about this many starts a chunk, and in about this many a section (see
// grammar.js); powers of two, the second a multiple of the first.
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

static bool at_field_end(TSLexer *lexer) {
  return lexer->eof(lexer) || lexer->lookahead == '\n' || is_blank(lexer->lookahead);
}

static void skip_blanks(TSLexer *lexer) {
  while (!lexer->eof(lexer) && is_blank(lexer->lookahead)) skip(lexer);
}

// Scans the version field, stopping before a final "/go.mod".
static void scan_version(TSLexer *lexer) {
  static const char suffix[] = "/go.mod";
  for (;;) {
    if (at_field_end(lexer)) {
      lexer->mark_end(lexer);
      return;
    }
    if (lexer->lookahead == '/') {
      lexer->mark_end(lexer);
      unsigned matched = 0;
      while (matched < 7 && !lexer->eof(lexer) && lexer->lookahead == suffix[matched]) {
        advance(lexer);
        matched++;
      }
      if (matched == 7 && at_field_end(lexer)) return; // the token ends at the mark
      if (matched == 0) advance(lexer);
      continue;
    }
    advance(lexer);
  }
}

bool tree_sitter_gosum_external_scanner_scan(void *payload, TSLexer *lexer, const bool *valid) {
  (void)payload;
  bool recovering = valid[ERROR_SENTINEL];

  skip_blanks(lexer);

  if (lexer->eof(lexer)) {
    if (recovering) return false;
    if (valid[END_OF_FILE]) {
      lexer->mark_end(lexer);
      lexer->result_symbol = END_OF_FILE;
      return true;
    }
    if (valid[CHUNK_END] || valid[SECTION_END]) {
      lexer->mark_end(lexer);
      lexer->result_symbol = valid[CHUNK_END] ? CHUNK_END : SECTION_END;
      return true;
    }
    return false;
  }

  if (lexer->lookahead == '\n') {
    advance(lexer);
    lexer->mark_end(lexer);
    lexer->result_symbol = NEWLINE;
    return true;
  }

  if ((valid[PATH] || valid[CHUNK_PATH] || valid[SECTION_PATH]) && !recovering) {
    // The first field of a line. Its hash decides whether a chunk starts here; a chunk ends (a
    // zero-width token) right before the line that starts the next one. Then the line's fields
    // are counted: a line without exactly three is malformed.
    lexer->mark_end(lexer);
    uint32_t hash = 2166136261u; // FNV-1a
    while (!at_field_end(lexer)) {
      hash = (hash ^ (uint32_t)lexer->lookahead) * 16777619u;
      advance(lexer);
    }
    bool starts_chunk = (hash & (CHUNK_SPREAD - 1)) == 0;
    bool starts_section = (hash & (SECTION_SPREAD - 1)) == 0;
    if (valid[CHUNK_END] && starts_chunk) {
      lexer->result_symbol = CHUNK_END;
      return true;
    }
    if (valid[SECTION_END] && starts_section) {
      lexer->result_symbol = SECTION_END;
      return true;
    }
    lexer->mark_end(lexer);
    unsigned fields = 1;
    for (;;) {
      while (!lexer->eof(lexer) && is_blank(lexer->lookahead)) advance(lexer);
      if (lexer->eof(lexer) || lexer->lookahead == '\n') break;
      fields++;
      while (!at_field_end(lexer)) advance(lexer);
      if (fields > 3) break;
    }
    if (fields == 3) {
      if (valid[SECTION_PATH] && (starts_section || (!valid[CHUNK_PATH] && !valid[PATH]))) {
        lexer->result_symbol = SECTION_PATH;
      } else if (valid[CHUNK_PATH] && (starts_chunk || !valid[PATH])) {
        lexer->result_symbol = CHUNK_PATH;
      } else {
        lexer->result_symbol = PATH;
      }
      return true;
    }
    // The whole rest of the line, trailing blanks left out.
    while (!lexer->eof(lexer) && lexer->lookahead != '\n') {
      bool blank = is_blank(lexer->lookahead);
      advance(lexer);
      if (!blank) lexer->mark_end(lexer);
    }
    lexer->result_symbol = MALFORMED_LINE;
    return true;
  }

  if (valid[VERSION] && !recovering) {
    scan_version(lexer);
    lexer->result_symbol = VERSION;
    return true;
  }

  if (valid[GO_MOD_SUFFIX] && !recovering && lexer->lookahead == '/') {
    for (unsigned i = 0; i < 7; i++) advance(lexer);
    lexer->mark_end(lexer);
    lexer->result_symbol = GO_MOD_SUFFIX;
    return true;
  }

  if (valid[COLON] && !recovering && lexer->lookahead == ':') {
    advance(lexer);
    lexer->mark_end(lexer);
    lexer->result_symbol = COLON;
    return true;
  }

  if (valid[HASH_ALGORITHM] && !recovering) {
    // `alg:value` when the field has a colon after at least one byte; otherwise all of it is value.
    bool has_colon = false;
    bool any = false;
    while (!at_field_end(lexer)) {
      if (lexer->lookahead == ':' && any) {
        has_colon = true;
        break;
      }
      any = true;
      advance(lexer);
    }
    if (has_colon) {
      lexer->mark_end(lexer);
      lexer->result_symbol = HASH_ALGORITHM;
      return true;
    }
    lexer->mark_end(lexer);
    lexer->result_symbol = HASH_VALUE;
    return true;
  }

  // A field anywhere else (while recovering, or the value after `alg:`).
  while (!at_field_end(lexer)) advance(lexer);
  lexer->mark_end(lexer);
  lexer->result_symbol = valid[HASH_VALUE] && !recovering ? HASH_VALUE : MALFORMED_LINE;
  return true;
}

void *tree_sitter_gosum_external_scanner_create(void) { return NULL; }
void tree_sitter_gosum_external_scanner_destroy(void *payload) { (void)payload; }
unsigned tree_sitter_gosum_external_scanner_serialize(void *payload, char *buffer) {
  (void)payload;
  (void)buffer;
  return 0;
}
void tree_sitter_gosum_external_scanner_deserialize(void *payload, const char *buffer,
                                                    unsigned length) {
  (void)payload;
  (void)buffer;
  (void)length;
}

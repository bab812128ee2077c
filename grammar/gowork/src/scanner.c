// The external scanner of the gowork grammar: see common/scanner.h.

#include <stdlib.h>

#include "../../common/scanner.h"

#define GRAMMAR_KEYWORDS                                                                          \
  (KEYWORD_BIT(KW_GO) | KEYWORD_BIT(KW_TOOLCHAIN) | KEYWORD_BIT(KW_GODEBUG) |                     \
   KEYWORD_BIT(KW_REPLACE) | KEYWORD_BIT(KW_USE))

void *tree_sitter_gowork_external_scanner_create(void) { return scanner_create(); }
void tree_sitter_gowork_external_scanner_destroy(void *payload) { scanner_destroy(payload); }
unsigned tree_sitter_gowork_external_scanner_serialize(void *payload, char *buffer) {
  return scanner_serialize(payload, buffer);
}
void tree_sitter_gowork_external_scanner_deserialize(void *payload, const char *buffer,
                                                    unsigned length) {
  scanner_deserialize(payload, buffer, length);
}
bool tree_sitter_gowork_external_scanner_scan(void *payload, TSLexer *lexer,
                                             const bool *valid_symbols) {
  return scan((Scanner *)payload, lexer, valid_symbols, GRAMMAR_KEYWORDS);
}

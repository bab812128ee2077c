; Comments may hold TODO/NOTE markers for the `comment` grammar.
([
  (comment)
  (deprecation_comment)
] @injection.content
  (#set! injection.language "comment"))

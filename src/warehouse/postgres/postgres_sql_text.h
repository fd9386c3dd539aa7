// Reading SQL text the way PostgreSQL's lexer does, for the two things the
// engine needs before it sends a statement: silverwork's positional `?`
// placeholders become PostgreSQL's `$n`, and a statement that is really
// several (text after a top-level ';') is caught before the server sees it.
//
// Quotes are respected: '...' strings (with '' inside), E'...' strings (with
// backslash escapes), "..." identifiers, $tag$...$tag$ bodies, -- and
// nested /* */ comments; a `?` inside any of them is text. Numbering follows
// SQLite's: `?NNN` is parameter NNN, a bare `?` is one more than the highest
// number given so far, so `?1 ... ?1` reuses one value. `$n` written directly
// counts too. PostgreSQL's jsonb operators spelled with `?` (`?`, `?|`, `?&`)
// cannot be written: use jsonb_exists() and friends instead.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace silverwork::postgres {

struct PlaceholderTranslation {
  std::string sql;                  // the statement with $n placeholders
  int parameter_count = 0;          // the highest $n it uses
  bool several_statements = false;  // more than blanks and comments after a top-level ';'
};

PlaceholderTranslation TranslatePlaceholders(std::string_view sql);

}  // namespace silverwork::postgres

// Lexer for the vigil rule language (shared/spec/LANGUAGE.md, docs/language.md).
//
// Generated at build time into the build directory; never committed. Tokens
// that the parser cannot use are still produced (ERROR_CHAR, UNTERMINATED_STRING)
// so that the driver can report them in its own words.
lexer grammar VigilLexer;

// Reserved keywords: never usable as names.
AND       : 'and';
OR        : 'or';
NOT       : 'not';
IN        : 'in';
MATCHES   : 'matches';
IS        : 'is';
MISSING   : 'missing';
PRESENT   : 'present';
TRUE      : 'true';
FALSE     : 'false';
RULESET   : 'ruleset';
USES      : 'uses';
SCHEMA    : 'schema';
CONST     : 'const';
LIST      : 'list';
PARAM     : 'param';
LET       : 'let';
RULE      : 'rule';
TEST      : 'test';
IMPORT    : 'import';
OVERRIDE  : 'override';
WHEN      : 'when';
THEN      : 'then';

// Contextual keywords: they introduce a clause where one is expected and are
// plain names everywhere else (so a schema may have a field called `score`).
VERSION   : 'version';
FROM      : 'from';
EXTERNAL  : 'external';
HASHED    : 'hashed';
SET       : 'set';
DISABLE   : 'disable';
SEVERITY  : 'severity';
TITLE     : 'title';
TAGS      : 'tags';
MODE      : 'mode';
SCORE     : 'score';
DECIDE    : 'decide';
TAG       : 'tag';
REASON    : 'reason';
DECISIONS : 'decisions';
EVENT     : 'event';
REPEAT    : 'repeat';
EVERY     : 'every';
EXPECT    : 'expect';
FIRES     : 'fires';
DECISION  : 'decision';
REVERSAL  : 'reversal';

// Punctuation and operators.
LPAREN  : '(';
RPAREN  : ')';
LBRACE  : '{';
RBRACE  : '}';
COMMA   : ',';
COLON   : ':';
DOT     : '.';
AT      : '@';
EQ      : '==';
NE      : '!=';
LE      : '<=';
GE      : '>=';
LT      : '<';
GT      : '>';
ASSIGN  : '=';
PLUS    : '+';
MINUS   : '-';
STAR    : '*';
SLASH   : '/';
PERCENT : '%';

// 2026-03-01T10:00:00Z, 2026-03-01T10:00:00.250+13:00, and a date alone,
// 2026-03-01 (midnight UTC of that day: docs/language.md, "Dates"). Longer
// than INT, so `2024-11-02` is a date, never a subtraction.
TIME
  : D D D D '-' D D '-' D D ('T' D D ':' D D ':' D D ('.' D+)? ('Z' | [+-] D D ':' D D))?
  ;

// Floats come before durations: `2e4` matches both FLOAT and SUFFIXED_NUMBER
// with the same length, and ANTLR picks the rule listed first. `2e4x` is
// longer as a SUFFIXED_NUMBER and stays one (an unknown unit).
FLOAT   : D+ '.' D+ [eE] [+-]? D+ | D+ [eE] [+-]? D+;

// A number followed directly by letters: a duration such as 24h or 500ms.
// The unit is checked by the AST builder so that `24hours` gets a precise message.
SUFFIXED_NUMBER : D+ [a-zA-Z_] [a-zA-Z0-9_]*;

DECIMAL : D+ '.' D+;
INT     : D+;

STRING              : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"';
UNTERMINATED_STRING : '"' (~["\\\r\n] | '\\' ~[\r\n])*;

ID : [A-Za-z_] [A-Za-z0-9_]*;

// Comments stay in the token stream (hidden) for the formatter.
LINE_COMMENT : ('#' | '//') ~[\r\n]* -> channel(HIDDEN);
WS           : [ \t\r\n\f]+ -> channel(HIDDEN);

// Anything else is reported as "unexpected character".
ERROR_CHAR : .;

fragment D : [0-9];

// Parser for the vigil rule language (shared/spec/LANGUAGE.md, docs/language.md).
//
// Binary operators are written as loops, not left recursion, so that a long
// chain such as `a and b and c ...` becomes one flat context instead of a deep
// tree. The AST builder (runtime/src/syntax) turns the contexts into typed AST
// nodes; no generated visitor or listener is used.
parser grammar VigilParser;

options { tokenVocab = VigilLexer; }

file : item* EOF ;

// A reason template's `{expr}` pieces are parsed with this entry point.
exprOnly : expr EOF ;

item
  : rulesetDecl
  | usesDecl
  | schemaDecl
  | constDecl
  | listDecl
  | paramDecl
  | letDecl
  | decisionsDecl
  | reversalDecl
  | importDecl
  | ruleDecl
  | testDecl
  | overrideDecl
  ;

rulesetDecl   : RULESET dottedName VERSION STRING ;
usesDecl      : USES SCHEMA name ;
schemaDecl    : SCHEMA name VERSION INT LBRACE fieldDecl* RBRACE ;
fieldDecl     : name COLON typeRef annotation* ;
annotation    : AT name ;
constDecl     : CONST name ASSIGN expr ;
listDecl      : LIST name COLON listType listSource ;
listType      : SET LT typeRef GT                                   # plainListType
              | HASHED (LPAREN hashedArg (COMMA hashedArg)* RPAREN)? SET  # hashedListType
              ;
listSource    : FROM STRING                                         # fileListSource
              | ASSIGN setLiteral                                   # inlineListSource
              | EXTERNAL                                            # externalListSource
              ;
hashedArg     : name COLON STRING ;
paramDecl     : PARAM name COLON typeRef ASSIGN expr ;
letDecl       : LET name ASSIGN expr ;
decisionsDecl : DECISIONS name (LT name)+ ;
// `reversal network_ref when event_type == "REVERSAL"`: which events take back an
// earlier one, and the field that names it (docs/language.md).
reversalDecl  : REVERSAL name WHEN expr ;
importDecl    : IMPORT STRING ;

typeRef : SET LT typeRef GT | name ;

ruleDecl : RULE name LBRACE ruleClause* RBRACE ;
ruleClause
  : TITLE STRING                      # titleClause
  | SEVERITY name                     # severityClause
  | TAGS STRING (COMMA STRING)*       # tagsClause
  | MODE name                         # modeClause
  | WHEN expr                         # whenClause
  | THEN action+                      # thenClause
  ;
action
  : SCORE scoreValue                  # scoreAction
  | DECIDE name                       # decideAction
  | TAG STRING                        # tagAction
  | REASON STRING                     # reasonAction
  ;
scoreValue : MINUS? INT | name ;

testDecl : TEST STRING LBRACE testStep* RBRACE ;
testStep : EVENT eventObject (REPEAT INT EVERY SUFFIXED_NUMBER)? (EXPECT expectation (COMMA expectation)*)? ;
eventObject : LBRACE (eventField (COMMA eventField)* COMMA?)? RBRACE ;
eventField  : name COLON expr ;
expectation
  : FIRES name                        # firesExpectation
  | NOT FIRES name                    # notFiresExpectation
  | DECISION name                     # decisionExpectation
  | SCORE MINUS? INT                  # scoreExpectation
  | TAG STRING                        # tagExpectation
  ;

overrideDecl : OVERRIDE dottedName (VERSION STRING)? LBRACE overrideItem* RBRACE ;
overrideItem
  : SET name ASSIGN expr              # setOverride
  | DISABLE RULE name                 # disableOverride
  | SEVERITY name name                # severityOverride
  | MODE name name                    # modeOverride
  ;

// ---------------------------------------------------------------- expressions
expr     : orExpr ;
orExpr   : andExpr (OR andExpr)* ;
andExpr  : notExpr (AND notExpr)* ;
notExpr  : NOT notExpr | cmpExpr ;
cmpExpr
  : addExpr ( cmpOp addExpr
            | NOT? IN addExpr
            | MATCHES addExpr
            | IS (MISSING | PRESENT)
            )?
  ;
cmpOp    : EQ | NE | LT | LE | GT | GE ;
addExpr  : mulExpr ((PLUS | MINUS) mulExpr)* ;
mulExpr  : unaryExpr ((STAR | SLASH | PERCENT) unaryExpr)* ;
unaryExpr: MINUS unaryExpr | primary ;

primary
  : literal                                         # literalPrimary
  | name LPAREN (argument (COMMA argument)*)? RPAREN  # callPrimary
  | name                                            # namePrimary
  | LPAREN expr (COMMA expr)* RPAREN               # parenPrimary   // (a, b) is a tuple
  | setLiteral                                      # setPrimary
  ;
argument   : (name COLON)? expr ;
setLiteral : LBRACE (expr (COMMA expr)* COMMA?)? RBRACE ;

literal : INT | DECIMAL | FLOAT | SUFFIXED_NUMBER | STRING | TIME | TRUE | FALSE ;

// Rule-set names may use any word, reserved or not: `acme.test`, `fcacp.rule_pack`.
dottedName : word (DOT word)* ;
word
  : name | AND | OR | NOT | IN | MATCHES | IS | MISSING | PRESENT | TRUE | FALSE | RULESET
  | USES | SCHEMA | CONST | LIST | PARAM | LET | RULE | TEST | IMPORT | OVERRIDE | WHEN | THEN
  ;

// Contextual keywords are names outside the clause they introduce.
name
  : ID | VERSION | FROM | EXTERNAL | HASHED | SET | DISABLE | SEVERITY | TITLE | TAGS
  | MODE | SCORE | DECIDE | TAG | REASON | DECISIONS | EVENT | REPEAT | EVERY | EXPECT
  | FIRES | DECISION | REVERSAL
  ;

// The surface syntax of the Caldicott data sharing agreement language (.dsa).
//
// docs/language.md is the contract and the reference.
// The generated C++ is written into the build tree only, and only the code
// in compiler/parse/ ever sees it.
//
// Lexical notes:
//  * Keywords are reserved. Lower-case ones belong to the agreement
//    language; the upper-case `AND`, `OR` and `MINUS` belong to code
//    expressions (a subset of SNOMED CT's Expression Constraint Language).
//  * Names are `[a-z_][a-z0-9_]*`. A word that starts with a digit, an
//    upper-case letter or `_` and then has upper-case letters is a CODE:
//    `C10..`, `E11.9`, `A81001`, `_InformationSensitivityPolicy`, `2345-7`.
//    An all-digit word is an INT (an SCTID, a version, a count).
//  * Tokens for malformed input (unterminated strings, terms and comments,
//    stray characters, names with capitals) exist so that the parse phase
//    can report them precisely instead of leaving ANTLR to guess.
grammar Caldicott;

// ---------------------------------------------------------------- parser

module : decl* EOF ;

decl
    : importDecl
    | roleDecl
    | codeGroupDecl
    | labelGroupDecl
    | sectionDecl
    | agreementDecl
    ;

importDecl : KW_IMPORT STRING SEMI ;

roleDecl : KW_ROLE name STRING? (KW_RBAC code)? SEMI ;

codeGroupDecl : KW_CODE_GROUP qualifiedName STRING? LBRACE groupEntry* RBRACE ;

labelGroupDecl : KW_LABEL_GROUP qualifiedName STRING? LBRACE groupEntry* RBRACE ;

groupEntry
    : KW_CODE_GROUP qualifiedName SEMI   # codeGroupRefEntry
    | KW_LABEL_GROUP qualifiedName SEMI  # labelGroupRefEntry
    | name eclExpr (COMMA eclExpr)* SEMI # systemEntry
    ;

// Code expressions. Mixing different binary operators without parentheses
// is rejected after parsing (as in ECL), so the operators share one level.
eclExpr : eclSub (eclOp eclSub)* ;

eclOp : ECL_OR | ECL_AND | ECL_MINUS ;

eclSub : constraintOp? eclFocus ;

eclFocus
    : code TERM?              # eclCode
    | LPAREN eclExpr RPAREN   # eclParen
    ;

constraintOp : DESC_OR_SELF | CHILD_OF | DESC | MEMBER_OF ;

sectionDecl : KW_SECTION qualifiedName STRING? LBRACE sectionItem* RBRACE ;

sectionItem : name (COMMA name)* (KW_WHERE cond)? SEMI ;

agreementDecl : KW_AGREEMENT name STRING? LBRACE stmt* RBRACE ;

stmt
    : KW_SHARE target (COMMA target)* (KW_WHERE cond)? SEMI   # shareStmt
    | KW_EXCLUDE target (COMMA target)* (KW_WHERE cond)? SEMI # excludeStmt
    | KW_GRANT KW_ROLE name (COMMA name)* SEMI                # grantStmt
    | KW_VERSION INT SEMI                                     # versionStmt
    | KW_CONTROLLERS code (COMMA code)* SEMI                  # controllersStmt
    | KW_PURPOSE name SEMI                                    # purposeStmt
    | KW_EFFECTIVE DATE (KW_TO DATE)? SEMI                    # effectiveStmt
    ;

target
    : KW_CODE_GROUP qualifiedName    # codeGroupTarget
    | KW_LABEL_GROUP qualifiedName   # labelGroupTarget
    | KW_CONFIDENTIAL                # confidentialTarget
    | qualifiedName                  # sectionTarget
    ;

// `and` binds tighter than `or`; `not` binds tightest. Chains are loops,
// not recursion, so a long chain cannot exhaust the stack.
cond : andCond (KW_OR andCond)* ;

andCond : notCond (KW_AND notCond)* ;

notCond : KW_NOT* atomCond ;

atomCond
    : KW_CODE KW_IN KW_CODE_GROUP qualifiedName     # codeInCond
    | KW_LABEL KW_IN KW_LABEL_GROUP qualifiedName   # labelInCond
    | KW_STATUS KW_IS name                          # statusCond
    | KW_RECORDED KW_WITHIN INT timeUnit            # recordedWithinCond
    | KW_RECORDED KW_BEFORE DATE                    # recordedBeforeCond
    | KW_RECORDED KW_AFTER DATE                     # recordedAfterCond
    | LPAREN cond RPAREN                            # parenCond
    ;

timeUnit : KW_DAYS | KW_MONTHS | KW_YEARS ;

qualifiedName : ID (DOT ID)* ;

name : ID ;

code : INT | CODE | ID ;

// ----------------------------------------------------------------- lexer

KW_IMPORT      : 'import' ;
KW_ROLE        : 'role' ;
KW_RBAC        : 'rbac' ;
KW_CODE_GROUP  : 'code-group' ;
KW_LABEL_GROUP : 'label-group' ;
KW_SECTION     : 'section' ;
KW_AGREEMENT   : 'agreement' ;
KW_SHARE       : 'share' ;
KW_EXCLUDE     : 'exclude' ;
KW_GRANT       : 'grant' ;
KW_VERSION     : 'version' ;
KW_CONTROLLERS : 'controllers' ;
KW_PURPOSE     : 'purpose' ;
KW_EFFECTIVE   : 'effective' ;
KW_TO          : 'to' ;
KW_WHERE       : 'where' ;
KW_CONFIDENTIAL: 'confidential' ;
KW_CODE        : 'code' ;
KW_LABEL       : 'label' ;
KW_IN          : 'in' ;
KW_STATUS      : 'status' ;
KW_IS          : 'is' ;
KW_RECORDED    : 'recorded' ;
KW_WITHIN      : 'within' ;
KW_BEFORE      : 'before' ;
KW_AFTER       : 'after' ;
KW_DAYS        : 'days' ;
KW_MONTHS      : 'months' ;
KW_YEARS       : 'years' ;
KW_AND         : 'and' ;
KW_OR          : 'or' ;
KW_NOT         : 'not' ;

ECL_AND   : 'AND' ;
ECL_OR    : 'OR' ;
ECL_MINUS : 'MINUS' ;

DESC_OR_SELF : '<<' ;
CHILD_OF     : '<!' ;
DESC         : '<' ;
MEMBER_OF    : '^' ;

SEMI   : ';' ;
COMMA  : ',' ;
DOT    : '.' ;
LBRACE : '{' ;
RBRACE : '}' ;
LPAREN : '(' ;
RPAREN : ')' ;

DATE : [0-9] [0-9] [0-9] [0-9] '-' [0-9] [0-9] '-' [0-9] [0-9] ;
INT  : [0-9]+ ;
ID   : [a-z_] [a-z0-9_]* ;
CODE : [A-Z0-9_] [A-Za-z0-9_.+-]* ;  // '+': so that 1.15E+15 (a spreadsheet's damage) is one code

// A name with capitals in it (`Diabetes`, `sexualHealth`): reported as
// such, then treated as a name.
BAD_ID : [a-z_] [A-Za-z0-9_]* ;

STRING              : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"' ;
UNTERMINATED_STRING : '"' (~["\\\r\n] | '\\' ~[\r\n])* '\\'? ;

// 'single quoted': reported, then treated as a string.
SINGLE_QUOTED : '\'' ~['\r\n]* '\'' ;

TERM              : '|' ~[|\r\n]* '|' ;
UNTERMINATED_TERM : '|' ~[|\r\n]* ;

LINE_COMMENT  : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
UNTERMINATED_BLOCK_COMMENT : '/*' (~[*] | '*'+ ~[*/])* '*'* EOF ;

WS : [ \t\r\n\f]+ -> skip ;

// Anything else is one stray character.
STRAY : . ;

// Stable diagnostic codes. Never renumber; each has an entry in
// docs/diagnostics.md. E1xxx syntax, E2xxx names, E3xxx types and values,
// E4xxx limits, Wxxxx warnings.
#pragma once

#include <cstdint>

namespace vigil {

enum class DiagCode : uint16_t {
  // Syntax (E1xxx).
  kUnexpectedChar = 1001,      // a character that starts no token
  kUnterminatedString = 1002,  // a string literal without its closing quote
  kSyntax = 1003,              // a token where the grammar expects something else
  kUnexpectedEof = 1004,       // the file ends inside a declaration
  kBadEscape = 1005,           // an unknown escape sequence in a string
  kBadNumber = 1006,           // a malformed number or an unknown duration unit
  kBadTime = 1007,             // a time literal that is not a real instant
  kInvalidUtf8 = 1008,         // the file is not valid UTF-8
  kBadTemplate = 1009,         // a reason template with unbalanced braces or a bad {expr}
  kBadVersion = 1010,          // a ruleset version that is not semantic versioning
  kNulCharacter = 1011,        // a NUL character (U+0000) in a rule file or a string escape
  kFormatChangesTokens = 1012, // vigil fmt's output would not read back to the same tokens
  // Names (E2xxx).
  kUnknownName = 2001,         // a name that is not a field, const, param, let or list
  kDuplicateDecl = 2002,       // a name declared twice
  kUnknownFunction = 2003,     // a call to a function that does not exist
  kUnknownDecision = 2004,     // a decision that the rule set does not declare
  kUnknownSchema = 2005,       // `uses schema` names a schema that is not declared
  kUnknownType = 2006,         // a type name that does not exist
  kUnknownKeyword = 2007,      // an unknown severity, mode or annotation
  kDuplicateRule = 2008,       // two rules with one id in one rule set
  kFileNotFound = 2009,        // an import or list file that cannot be read
  kImportCycle = 2010,         // files that import each other
  kUnknownRule = 2011,         // a test or override names a rule that does not exist
  kNoSchema = 2012,            // rules read fields but no `uses schema` is in effect
  kLetCycle = 2013,            // lets that refer to each other
  kNoRuleset = 2014,           // rules in a file without a `ruleset` declaration
  kUnknownArgument = 2015,     // a named argument the function does not take
  kPackRefused = 2017,         // a rule pack that is malformed, tampered or refused by policy
  kIncompatibleVersion = 2018, // an override written for another version of its rule set
  kHostSchema = 2019,          // rules that need a field, type or schema version the host lacks
  kUntrustedFile = 2020,       // a plain rule file refused by the host's trust policy
  kForeignOverride = 2021,     // a pack's override of a rule set the pack does not declare
  kDecisionOrder = 2022,       // a decision order declared by a pack compiled with other sources
  kOutsideTree = 2023,         // an import or list file outside the rule files' directory tree
  kListNotInManifest = 2024,   // a pack's rules read a list that pack.json does not name
  kNotRuleFile = 2025,         // an import that is not a .vgl file, a list file not named as one
  kDuplicateReversal = 2030,   // a second `reversal` declaration in one compilation
  // Types and values (E3xxx).
  kTypeMismatch = 3001,        // operand types that the operator does not accept
  kNotBool = 3002,             // a condition that is not a boolean
  kBadArguments = 3003,        // a call with the wrong number or types of arguments
  kBadRegex = 3004,            // a pattern that RE2 rejects
  kNotConstant = 3005,         // a const, param or set element that is not a constant
  kMixedSet = 3006,            // set elements of different types
  kDecimalRange = 3007,        // a decimal outside the range or precision of decimal
  kIntRange = 3008,            // an integer literal that does not fit in 64 bits
  kBadListEntry = 3009,        // a list file line that is not a value of the list's type
  kBadEventValue = 3010,       // a test event field whose value does not fit its type
  kBadScore = 3011,            // a score that is not an int constant
  kBadAggregate = 3012,        // an aggregate with a wrong by:, within:, where: or value
  kFloatRange = 3013,          // a float literal outside the range of a double
  kConflictingOverride = 3014, // a param, severity or mode set twice by overrides
  kDuplicateEventField = 3015, // a field given twice in a test event
  kBadReversalField = 3020,    // a `reversal` FIELD that is not a string or int field
  kReversalAggregate = 3021,   // a `reversal` condition that reads an aggregate
  // Limits (E4xxx).
  kFileTooLarge = 4001,        // a source or list file above the size limit
  kNameTooLong = 4002,         // an identifier above the length limit
  kStringTooLong = 4003,       // a string literal above the length limit
  kTooDeep = 4004,             // nesting deeper than the limit
  kTooManyErrors = 4005,       // error reporting stopped after the limit
  kTooMany = 4006,             // too many files, rules or list entries
  kSetTooLarge = 4007,         // a set literal with more elements than the limit
  kRegexTooLarge = 4008,       // a pattern (or all patterns together) compiling to too many instructions
  kTooManyTokens = 4009,       // a rule file with more tokens or grammar nodes than the limit
  // Warnings (W5xxx): the rules compile but probably do not say what was meant.
  kUnusedDecl = 5001,          // a const, list, param or let that nothing reads
  kConstantCondition = 5002,   // a condition (or part) that is always true or always false
  kNeverFires = 5003,          // contradictory comparisons: the rule can never fire
  kDuplicateRuleId = 5004,     // one rule id in two rule sets compiled together
  kNoTitle = 5005,             // a rule without a title
  kNoSeverity = 5006,          // a rule without an explicit severity
  kExpiredEntries = 5007,      // list entries whose expiry has passed: they no longer match
  kPackOverridesOther = 5008,  // a pack's override of another source's rule set, allowed by the host
  kBidiControl = 5009,         // a bidirectional control character (Trojan Source)
  kNoRules = 5010,             // no enforced rule: every event gets the lowest decision
  kWarningsNotShown = 5013,    // more warnings than the limit: the rest are counted, not shown
};

}  // namespace vigil

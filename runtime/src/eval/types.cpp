#include "eval/types.hpp"

namespace vigil {

const char* KindName(Kind k) {
  switch (k) {
    case Kind::kError: return "<error>";
    case Kind::kBool: return "bool";
    case Kind::kInt: return "int";
    case Kind::kDecimal: return "decimal";
    case Kind::kFloat: return "float";
    case Kind::kString: return "string";
    case Kind::kTime: return "time";
    case Kind::kDuration: return "duration";
    case Kind::kTuple: return "tuple";
  }
  return "<error>";
}

std::string TypeName(Type t) {
  if (t.is_set) return std::string("set<") + KindName(t.kind) + ">";
  return KindName(t.kind);
}

}  // namespace vigil

#include "lint/lint.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>

#include "base/utf8.hpp"
#include "lint/allow_comments.hpp"

namespace vigil::lint {

namespace {

using plan::CmpOp;
using plan::OpCode;

struct Warner {
  const SourceManager& sources;
  DiagSink& diags;
  AllowComments allowed{sources};
  // `scope` is where a `# vigil: allow` comment silences it (the whole rule
  // or declaration); by default the range itself.
  void Warn(DiagCode code, SourceRange range, std::string message, std::string help = {},
            std::optional<SourceRange> scope = std::nullopt) {
    Diagnostic d;
    d.severity = Severity::kWarning;
    d.code = code;
    d.range = range;
    d.message = std::move(message);
    d.help = std::move(help);
    if (allowed.Allows(scope.value_or(range), CodeName(d))) return;
    diags.Add(std::move(d));
  }
};

// The set of values a field may take for the conjuncts seen so far.
struct Interval {
  std::optional<int64_t> lo, hi;  // bounds
  bool lo_open = false, hi_open = false;
  std::vector<uint32_t> nodes;    // the comparisons that made it
  bool Empty() const {
    if (!lo || !hi) return false;
    if (*lo > *hi) return true;
    return *lo == *hi && (lo_open || hi_open);
  }
  void Apply(CmpOp cmp, int64_t k) {
    auto lower = [&](int64_t v, bool open) {
      if (!lo || v > *lo || (v == *lo && open)) {
        lo = v;
        lo_open = open;
      }
    };
    auto upper = [&](int64_t v, bool open) {
      if (!hi || v < *hi || (v == *hi && open)) {
        hi = v;
        hi_open = open;
      }
    };
    switch (cmp) {
      case CmpOp::kLt: upper(k, true); break;
      case CmpOp::kLe: upper(k, false); break;
      case CmpOp::kGt: lower(k, true); break;
      case CmpOp::kGe: lower(k, false); break;
      case CmpOp::kEq: lower(k, false); upper(k, false); break;
      case CmpOp::kNe: break;
    }
  }
};

std::vector<uint32_t> Conjuncts(const eval::Program& p, uint32_t root) {
  const plan::Node& n = p.nodes[root];
  std::vector<uint32_t> out;
  if (n.op == OpCode::kAnd) {
    for (uint32_t i = 0; i < n.b; ++i) out.push_back(p.child_lists[n.a + i]);
  } else {
    out.push_back(root);
  }
  return out;
}

std::string Quote(const eval::Program& p, uint32_t node) {
  std::string text;
  bool space = false;
  for (char ch : p.node_text[node]) {
    if (ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r') {
      space = !text.empty();
      continue;
    }
    if (space) text += ' ';
    space = false;
    text += ch;
  }
  return "`" + text + "`";
}

// Contradictory comparisons among the top-level conjuncts: returns the
// nodes that cannot all hold, or nothing.
std::vector<uint32_t> Contradiction(const eval::Program& p, uint32_t root) {
  std::map<uint32_t, Interval> ranges;
  std::map<uint32_t, std::pair<std::string_view, uint32_t>> equals;  // field → (value, node)
  std::map<uint32_t, std::vector<std::pair<std::string_view, uint32_t>>> not_equals;
  for (uint32_t c : Conjuncts(p, root)) {
    const plan::Node& n = p.nodes[c];
    if (n.op == OpCode::kCmpI64Field && n.k.present) {
      Interval& r = ranges[n.a];
      r.Apply(n.cmp, n.k.i);
      r.nodes.push_back(c);
      if (r.Empty()) return r.nodes;
    } else if (n.op == OpCode::kCmpStrField && n.k.present) {
      std::string_view v = n.k.str();
      if (n.cmp == CmpOp::kEq) {
        auto it = equals.find(n.a);
        if (it != equals.end() && it->second.first != v) return {it->second.second, c};
        equals[n.a] = {v, c};
        for (const auto& [x, node] : not_equals[n.a]) {
          if (x == v) return {node, c};
        }
      } else if (n.cmp == CmpOp::kNe) {
        auto it = equals.find(n.a);
        if (it != equals.end() && it->second.first == v) return {it->second.second, c};
        not_equals[n.a].push_back({v, c});
      }
    }
  }
  return {};
}

}  // namespace

Facts Collect(const sema::Module& module) {
  Facts f;
  for (const auto& c : module.consts) {
    // Set literals are kept as anonymous consts: only named ones count.
    if (!c.used && !c.name.empty()) f.unused.push_back({"const", c.name, c.range});
  }
  for (const auto& l : module.lists) {
    if (!l.used) f.unused.push_back({"list", l.name, l.range});
  }
  for (const auto& p : module.params) {
    if (!p.used) f.unused.push_back({"param", p.name, p.range});
  }
  for (const auto& l : module.lets) {
    if (!l.used) f.unused.push_back({"let", l.name, l.range});
  }
  std::sort(f.unused.begin(), f.unused.end(), [](const UnusedDecl& a, const UnusedDecl& b) {
    return a.range.file != b.range.file ? a.range.file < b.range.file : a.range.begin < b.range.begin;
  });
  for (const auto& r : module.rules) {
    if (r.disabled) continue;
    RuleFacts rf;
    rf.has_title = r.decl->title.has_value();
    rf.has_severity = r.decl->severity.has_value();
    rf.when_range = r.decl->when_range;
    f.rules.push_back(rf);
  }
  return f;
}

void Run(const Facts& facts, const eval::Program& program, const SourceManager& sources,
         DiagSink& diags) {
  Warner w{sources, diags};
  size_t enforced = 0;
  for (const eval::RuleInfo& rule : program.rules) enforced += rule.shadow ? 0 : 1;
  if (enforced == 0) {
    // An empty file, the wrong file, or every rule disabled or in shadow mode:
    // nothing can ever decide, which an author almost never means.
    Diagnostic d;
    d.severity = Severity::kWarning;
    d.code = DiagCode::kNoRules;
    d.has_range = false;
    d.message = fmt::format(
        "no rule is enforced ({}): every event will get decision '{}' and score 0",
        program.rules.empty() ? "the rule files declare no rules"
                              : "every rule is in shadow mode or disabled",
        program.decisions.empty() ? std::string("allow") : program.decisions.front());
    diags.Add(std::move(d));
  }
  for (const UnusedDecl& d : facts.unused) {
    w.Warn(DiagCode::kUnusedDecl, d.range, fmt::format("{} '{}' is never used", d.kind, d.name),
           "remove it, or silence this with `# vigil: allow W5001` if members use it in overrides");
  }
  std::map<std::string, size_t> first_by_id;
  for (size_t i = 0; i < program.rules.size() && i < facts.rules.size(); ++i) {
    const eval::RuleInfo& rule = program.rules[i];
    const RuleFacts& rf = facts.rules[i];
    if (!rf.has_title) {
      w.Warn(DiagCode::kNoTitle, rule.range, fmt::format("rule '{}' has no title", rule.id),
             "add a line such as: title \"Small cross-border payment to a high-risk merchant\"");
    }
    if (!rf.has_severity) {
      w.Warn(DiagCode::kNoSeverity, rule.range,
             fmt::format("rule '{}' has no severity (medium is assumed)", rule.id),
             "add: severity low | medium | high | critical");
    }
    const plan::Node& root = program.nodes[rule.when];
    if (root.op == OpCode::kConst) {
      bool always = root.k.present && root.k.b;
      w.Warn(DiagCode::kConstantCondition, rf.when_range,
             fmt::format("the condition of rule '{}' is always {}", rule.id,
                         !root.k.present ? "missing (the rule never fires)"
                         : always        ? "true (the rule fires on every event)"
                                         : "false (the rule never fires)"),
             {}, rule.range);
    } else if (root.op == OpCode::kAnd || root.op == OpCode::kOr) {
      for (uint32_t i2 = 0; i2 < root.b; ++i2) {
        uint32_t c = program.child_lists[root.a + i2];
        const plan::Node& n = program.nodes[c];
        if (n.op != OpCode::kConst) continue;
        w.Warn(DiagCode::kConstantCondition, rf.when_range,
               fmt::format("in rule '{}', {} is always {}", rule.id, Quote(program, c),
                           n.k.present && n.k.b ? "true" : "false"),
               {}, rule.range);
      }
    }
    std::vector<uint32_t> clash = Contradiction(program, rule.when);
    if (!clash.empty()) {
      std::string parts;
      for (size_t k = 0; k < clash.size(); ++k) {
        parts += (k == 0 ? "" : k + 1 == clash.size() ? " and " : ", ") + Quote(program, clash[k]);
      }
      w.Warn(DiagCode::kNeverFires, rf.when_range,
             fmt::format("rule '{}' can never fire: {} cannot all hold", rule.id, parts), {},
             rule.range);
    }
    auto [it, inserted] = first_by_id.emplace(rule.id, i);
    if (!inserted) {
      const eval::RuleInfo& first = program.rules[it->second];
      const SourceFile& f = sources.file(first.range.file);
      LineCol pos = f.Position(first.range.begin);
      w.Warn(DiagCode::kDuplicateRuleId, rule.range,
             fmt::format("rule id '{}' is also used in rule set '{}' ({}:{})", rule.id,
                         program.rulesets[first.ruleset].name, f.path(), pos.line),
             "tests and overrides that name it by its id alone are ambiguous; rename one");
    }
  }
}

namespace {

// The controls that reorder how text is displayed (Unicode bidirectional
// embeddings, overrides and isolates): the "Trojan Source" set.
const char* BidiName(char32_t c) {
  switch (c) {
    case 0x202A: return "LEFT-TO-RIGHT EMBEDDING";
    case 0x202B: return "RIGHT-TO-LEFT EMBEDDING";
    case 0x202C: return "POP DIRECTIONAL FORMATTING";
    case 0x202D: return "LEFT-TO-RIGHT OVERRIDE";
    case 0x202E: return "RIGHT-TO-LEFT OVERRIDE";
    case 0x2066: return "LEFT-TO-RIGHT ISOLATE";
    case 0x2067: return "RIGHT-TO-LEFT ISOLATE";
    case 0x2068: return "FIRST STRONG ISOLATE";
    case 0x2069: return "POP DIRECTIONAL ISOLATE";
    default: return "BIDIRECTIONAL CONTROL";
  }
}

}  // namespace

void ScanText(const SourceManager& sources, uint32_t file_id, DiagSink& diags) {
  Warner w{sources, diags};
  const std::string_view text = sources.file(file_id).text();
  size_t warned_line_end = 0;  // one warning per line is enough to look at it
  for (size_t i = 0; i + 2 < text.size(); ++i) {
    // Every one of them is E2 80 AA..AE or E2 81 A6..A9 in UTF-8.
    if (static_cast<unsigned char>(text[i]) != 0xE2 || i < warned_line_end) continue;
    size_t at = i;
    char32_t c = utf8::Decode(text, at);
    if (!utf8::IsBidiControl(c)) continue;
    const char* name = BidiName(c);
    const auto b = static_cast<uint32_t>(i);
    w.Warn(DiagCode::kBidiControl, SourceRange{file_id, b, static_cast<uint32_t>(at)},
           fmt::format("bidirectional control character U+{:04X} ({}): this line may display "
                       "in another order than it is read and compiled",
                       static_cast<uint32_t>(c), name),
           "remove it; to match such characters in data, write the escape \\u{" +
               fmt::format("{:X}", static_cast<uint32_t>(c)) + "} in a string");
    size_t eol = text.find('\n', i);
    warned_line_end = eol == std::string_view::npos ? text.size() : eol;
  }
}

}  // namespace vigil::lint

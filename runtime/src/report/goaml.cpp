#include "report/goaml.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "base/decimal.hpp"
#include "report/narrative.hpp"

namespace vigil::report {

namespace {

const GoamlParty* FindParty(const GoamlProfile& g, const std::string& name) {
  for (const GoamlParty& p : g.parties) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const char* NodeName(PartyNode node) {
  switch (node) {
    case PartyNode::kAccount: return "account";
    case PartyNode::kPerson: return "person";
    case PartyNode::kEntity: return "entity";
  }
  return "account";
}

// The event's own currency, when it is not the local one.
struct Foreign {
  std::string code, amount, rate;  // rate empty: not written
};

// One side of a transaction: t_from_my_client/t_from or t_to_my_client/t_to.
void Side(XmlNode* txn, bool from, const GoamlParty& party, const ValueSpec& funds,
          const Foreign* foreign, const Context& ctx, Emitter& emit) {
  const std::string prefix = from ? "from" : "to";
  XmlNode* side = txn->Add(fmt::format("t_{}{}", prefix, party.my_client ? "_my_client" : ""));
  emit.Value(side, prefix + "_funds_code", funds, ctx);
  if (foreign != nullptr) {
    XmlNode* fx = side->Add(prefix + "_foreign_currency");
    emit.Text(fx, "foreign_currency_code", foreign->code);
    emit.Text(fx, "foreign_amount", foreign->amount);
    if (!foreign->rate.empty()) emit.Text(fx, "foreign_exchange_rate", foreign->rate);
  }
  XmlNode* node = side->Add(fmt::format("{}_{}", prefix, NodeName(party.node)));
  emit.Elements(node, party.element, ctx);
  emit.Value(side, prefix + "_country", party.country, ctx);
}

// What identifies a transaction for a message: its event id and the values
// the channel rows match on.
std::string Describe(const Context& ctx, const GoamlProfile& g) {
  std::vector<std::string> seen;
  std::string parts;
  for (const ChannelRow& row : g.channels) {
    for (const auto& [path, values] : row.match.conditions) {
      if (std::find(seen.begin(), seen.end(), path) != seen.end()) continue;
      seen.push_back(path);
      std::string why;
      std::optional<std::string> v = ResolvePath(ctx, path, &why);
      parts += fmt::format(", {} {}", path, v ? "'" + *v + "'" : "missing");
    }
  }
  return fmt::format("event '{}'{}", ctx.txn->event, parts);
}

// amount_local: the event's own amount when it is in the local currency,
// else the profile's local value; true (with `foreign` filled) when the
// event's currency is foreign and the client's side must say so.
bool AmountLocal(XmlNode* txn, const Context& ctx, Emitter& emit, Foreign* foreign) {
  const GoamlProfile& g = ctx.profile->goaml;
  if (!g.has_foreign) {
    emit.Value(txn, "amount_local", g.amount, ctx);
    return false;
  }
  std::string why;
  ValueStatus code = EvalValue(ctx, g.foreign_code, &foreign->code, &why);
  std::string own_why;
  ValueStatus own = EvalValue(ctx, g.foreign_amount, &foreign->amount, &own_why);
  if (code != ValueStatus::kOk || own != ValueStatus::kOk) {
    const bool code_bad = code != ValueStatus::kOk;
    emit.Error(txn->Add("amount_local"),
               fmt::format("{}{} ({})", (code_bad ? code : own) == ValueStatus::kMissing ? "no value: " : "",
                           code_bad ? why : own_why,
                           code_bad ? g.foreign_code.where : g.foreign_amount.where));
    return false;
  }
  if (foreign->code == ctx.profile->local_currency) {
    emit.Text(txn, "amount_local", foreign->amount);
    return false;
  }
  XmlNode* local = emit.Value(txn, "amount_local", g.amount, ctx);
  if (local == nullptr) return false;
  if (g.foreign_rate) {
    std::optional<Decimal> l = ParseDecimal(local->text()), f = ParseDecimal(foreign->amount);
    Decimal rate;
    if (l && f && f->units != 0 && DecimalDiv(*l, *f, &rate)) {
      foreign->rate = DecimalToString(rate);
    } else {
      emit.Error(local, fmt::format("no exchange rate: the event's amount is '{}' ({})",
                                    foreign->amount, g.foreign_amount.where));
    }
  }
  return true;
}

void Transaction(XmlNode* report, const Context& ctx, Emitter& emit) {
  const GoamlProfile& g = ctx.profile->goaml;
  XmlNode* txn = report->Add("transaction");
  const ChannelRow* row = nullptr;
  for (const ChannelRow& r : g.channels) {
    if (MatchHolds(ctx, r.match)) {
      row = &r;
      break;
    }
  }
  if (row == nullptr) {
    emit.Error(txn, fmt::format("no row of goaml.channels matches {} (add a row, or a last row "
                                "without \"match\")", Describe(ctx, g)));
    return;
  }
  emit.Value(txn, "transactionnumber", g.number, ctx);
  if (g.has_internal_ref) emit.Value(txn, "internal_ref_number", g.internal_ref, ctx);
  emit.Value(txn, "transaction_location", row->has_location ? row->location : g.location_text, ctx);
  emit.Value(txn, "transaction_description", row->has_description ? row->description : g.description,
             ctx);
  emit.Value(txn, "date_transaction", g.date, ctx);
  emit.Value(txn, "transmode_code", row->transmode_code, ctx);
  if (row->has_transmode_comment) emit.Value(txn, "transmode_comment", row->transmode_comment, ctx);
  Foreign foreign;
  const bool is_foreign = AmountLocal(txn, ctx, emit, &foreign);
  const Foreign* fx = is_foreign ? &foreign : nullptr;
  const GoamlParty* client = FindParty(g, g.client);
  const GoamlParty* other = FindParty(g, row->counterparty);
  if (row->client_is_sender) {
    Side(txn, true, *client, row->client_funds_code, fx, ctx, emit);
    Side(txn, false, *other, row->counterparty_funds_code, nullptr, ctx, emit);
  } else {
    Side(txn, true, *other, row->counterparty_funds_code, nullptr, ctx, emit);
    Side(txn, false, *client, row->client_funds_code, fx, ctx, emit);
  }
  if (g.has_comments) emit.Value(txn, "comments", g.comments, ctx);
}

}  // namespace

std::unique_ptr<XmlNode> BuildGoaml(const Context& base, Emitter& emit) {
  const Profile& p = *base.profile;
  const GoamlProfile& g = p.goaml;
  auto report = std::make_unique<XmlNode>("report");
  XmlNode* root = report.get();
  emit.Text(root, "rentity_id", g.rentity_id);
  if (!g.rentity_branch.empty()) emit.Text(root, "rentity_branch", g.rentity_branch);
  emit.Text(root, "submission_code", g.submission_code);
  emit.Text(root, "report_code", g.report_code);
  if (g.has_entity_reference) emit.Value(root, "entity_reference", g.entity_reference, base);
  emit.Text(root, "submission_date", base.report_date + "T00:00:00");
  emit.Text(root, "currency_code_local", p.local_currency);
  if (!g.reporting_person.empty()) {
    emit.Elements(root->Add("reporting_person"), g.reporting_person, base);
  }
  if (!g.location.empty()) emit.Elements(root->Add("location"), g.location, base);
  std::string why;
  std::optional<std::string> reason = RenderNarrative(base, p.narrative.text, &why);
  if (reason) {
    emit.Text(root, "reason", std::move(*reason));
  } else {
    emit.Error(root->Add("reason"), fmt::format("no value: {} (narrative.text)", why));
  }
  if (!p.narrative.action.empty()) {
    why.clear();
    std::optional<std::string> action = RenderNarrative(base, p.narrative.action, &why);
    if (action) {
      emit.Text(root, "action", std::move(*action));
    } else {
      emit.Error(root->Add("action"), fmt::format("no value: {} (narrative.action)", why));
    }
  }
  for (const cases::Transaction& t : base.c->transactions) {
    Context ctx = base;
    ctx.txn = &t;
    Transaction(root, ctx, emit);
  }
  if (base.c->transactions.empty()) {
    emit.Error(root, "the case has no transactions: a goAML transaction report needs at least one");
  }
  // Indicators: every code the case's tags map to, in the profile's order.
  XmlNode* indicators = root->Add("report_indicators");
  const std::vector<std::string> tags = CaseTags(*base.c);
  std::vector<std::string> codes;
  for (const auto& [tag, mapped] : g.indicators.map) {
    if (std::find(tags.begin(), tags.end(), tag) == tags.end()) continue;
    for (const std::string& code : mapped) {
      if (std::find(codes.begin(), codes.end(), code) == codes.end()) codes.push_back(code);
    }
  }
  if (codes.empty() && g.indicators.has_fallback) codes = g.indicators.fallback;
  if (codes.empty()) {
    std::string list;
    for (const std::string& t : tags) list += (list.empty() ? "" : ", ") + t;
    emit.Error(indicators, fmt::format("no indicator: the case's tags ({}) map to none in "
                                       "goaml.indicators.map, and it has no \"default\"",
                                       list.empty() ? "none" : list));
  }
  for (const std::string& code : codes) emit.Text(indicators, "indicator", code);
  return report;
}

}  // namespace vigil::report

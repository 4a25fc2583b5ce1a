#include "report/report.hpp"

#include "base/decimal.hpp"
#include "report/emit.hpp"
#include "report/fincen.hpp"
#include "report/goaml.hpp"

namespace vigil::report {

namespace {

// The sum of the profile's per-transaction amount, for case.total_amount;
// empty when an amount is missing (the transaction reports that itself).
std::string TotalAmount(const Context& base) {
  const ValueSpec& spec = base.profile->kind == ReportKind::kGoaml ? base.profile->goaml.amount
                                                                    : base.profile->fincen.amount;
  Decimal total{};
  for (const cases::Transaction& t : base.c->transactions) {
    Context ctx = base;
    ctx.txn = &t;
    std::string text, why;
    if (EvalValue(ctx, spec, &text, &why) != ValueStatus::kOk) return "";
    std::optional<Decimal> d = ParseDecimal(text);
    if (!d || !DecimalAdd(total, *d, &total)) return "";
    total.scale = std::max(total.scale, d->scale);
  }
  return base.c->transactions.empty() ? "" : DecimalToString(total);
}

}  // namespace

ReportOutput BuildReport(const ReportInput& in) {
  Context ctx;
  ctx.profile = in.profile;
  ctx.c = in.c;
  ctx.lookups = in.lookups;
  ctx.zone = in.zone;
  ctx.report_date = in.report_date;
  ctx.total_amount = TotalAmount(ctx);
  std::vector<Problem> problems;
  Emitter emit(*in.profile, &problems);
  std::unique_ptr<XmlNode> root = in.profile->kind == ReportKind::kGoaml ? BuildGoaml(ctx, emit)
                                                                         : BuildFincen(ctx, emit);
  ReportOutput out;
  // Paths are rendered now that the tree is complete (indexes depend on siblings).
  for (const Problem& p : problems) {
    (p.error ? out.errors : out.warnings).push_back(RenderProblem(p));
  }
  if (out.errors.empty()) out.xml = WriteXml(*root);
  return out;
}

}  // namespace vigil::report

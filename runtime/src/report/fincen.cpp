#include "report/fincen.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "base/decimal.hpp"
#include "base/utf8.hpp"
#include "report/narrative.hpp"

namespace vigil::report {

std::vector<std::string> SplitNarrative(std::string_view text, size_t block) {
  std::vector<std::string> blocks;
  while (!text.empty()) {
    std::string_view head = CutToChars(text, block);
    if (head.size() < text.size()) {
      // Break after the last space or line break in the block's last tenth,
      // so that a word is not split between two blocks.
      size_t floor = head.size() - std::min(head.size(), head.size() / 10);
      size_t cut = head.find_last_of(" \n", head.size() - 1);
      if (cut != std::string_view::npos && cut >= floor) head = head.substr(0, cut + 1);
    }
    blocks.emplace_back(head);
    text.remove_prefix(head.size());
  }
  return blocks;
}

namespace {

void AddSeqNums(XmlNode* node, int64_t* next) {
  for (const auto& child : node->children()) {
    if (!child->children().empty()) child->SetAttribute("SeqNum", std::to_string((*next)++));
    AddSeqNums(child.get(), next);
  }
}

// The whole-dollar amount FinCEN asks for: rounded up to the next dollar.
std::string WholeDollars(Decimal d) {
  int64_t dollars = d.units / kDecimalUnit;
  if (d.units % kDecimalUnit > 0) ++dollars;
  return std::to_string(dollars);
}

}  // namespace

std::unique_ptr<XmlNode> BuildFincen(const Context& base, Emitter& emit) {
  const Profile& p = *base.profile;
  const FincenProfile& f = p.fincen;
  const cases::Case& c = *base.c;
  auto batch = std::make_unique<XmlNode>("EFilingBatchXML");
  XmlNode* root = batch.get();
  root->SetAttribute("xmlns", "www.fincen.gov/base");
  emit.Text(root, "FormTypeCode", "SARX");
  XmlNode* activity = root->Add("Activity");
  if (!f.prior_document.empty()) emit.Text(activity, "EFilingPriorDocumentNumber", f.prior_document);
  std::string filing = base.report_date;
  filing.erase(std::remove(filing.begin(), filing.end(), '-'), filing.end());
  emit.Text(activity, "FilingDateText", filing);
  // Field 2: the key terms FinCEN's notices ask for, from the case's tags.
  const std::vector<std::string> tags = CaseTags(c);
  std::vector<std::string> terms;
  for (const auto& [tag, term] : f.notes) {
    if (std::find(tags.begin(), tags.end(), tag) != tags.end() &&
        std::find(terms.begin(), terms.end(), term) == terms.end()) {
      terms.push_back(term);
    }
  }
  if (!terms.empty()) {
    std::string note;
    for (const std::string& t : terms) note += (note.empty() ? "" : " ") + t;
    emit.Text(activity, "FilingInstitutionNotetoFinCEN", note);
  }
  XmlNode* association = activity->Add("ActivityAssociation");
  static constexpr std::pair<std::string_view, std::string_view> kAssociations[] = {
      {"continuing", "ContinuingActivityReportIndicator"},
      {"corrects", "CorrectsAmendsPriorReportIndicator"},
      {"initial", "InitialReportIndicator"},
      {"joint", "JointReportIndicator"}};
  for (const auto& [name, element] : kAssociations) {
    if (f.association == name) emit.Text(association, std::string(element), "Y");
  }
  // The five fixed parties, then the subject.
  for (const auto& party : f.parties) emit.Elements(activity->Add("Party"), party, base);
  const FincenSubjectRow* subject = nullptr;
  for (const FincenSubjectRow& row : f.subjects) {
    if (MatchHolds(base, row.match)) {
      subject = &row;
      break;
    }
  }
  XmlNode* subject_party = activity->Add("Party");
  emit.Text(subject_party, "ActivityPartyTypeCode", "33");
  if (subject == nullptr) {
    emit.Error(subject_party, fmt::format("no row of fincen.subjects matches the case (subject "
                                          "{} '{}')", c.subject.field, c.subject.value));
  } else {
    emit.Elements(subject_party, subject->party, base);
  }
  // The suspicious activity: dates, amount and classifications.
  XmlNode* suspicious = activity->Add("SuspiciousActivity");
  Decimal total{};
  bool amounts_ok = !c.transactions.empty();
  std::string first_day, last_day;
  for (const cases::Transaction& t : c.transactions) {
    Context ctx = base;
    ctx.txn = &t;
    std::string day, why;
    if (LocalYmd(ctx, t.time, &day)) {
      if (first_day.empty() || day < first_day) first_day = day;
      if (last_day.empty() || day > last_day) last_day = day;
    }
    std::string amount;
    ValueStatus s = EvalValue(ctx, f.amount, &amount, &why);
    std::optional<Decimal> d = s == ValueStatus::kOk ? ParseDecimal(amount) : std::nullopt;
    if (!d || !DecimalAdd(total, *d, &total)) {
      amounts_ok = false;
      emit.Error(suspicious, fmt::format("TotalSuspiciousAmountText: {} ({})",
                                         s == ValueStatus::kOk ? "'" + amount + "' is not an amount"
                                                               : "no value: " + why,
                                         f.amount.where));
    }
  }
  if (first_day.empty()) {
    emit.Error(suspicious, "the case has no transactions with a time: a SAR needs the date the "
                           "suspicious activity began");
    first_day = filing;
  }
  emit.Text(suspicious, "SuspiciousActivityFromDateText", first_day);
  emit.Text(suspicious, "SuspiciousActivityToDateText", last_day.empty() ? first_day : last_day);
  const std::string dollars = amounts_ok ? WholeDollars(total) : "0";
  if (amounts_ok) emit.Text(suspicious, "TotalSuspiciousAmountText", dollars);
  std::vector<FincenClassification> classes;
  for (const auto& [tag, list] : f.classifications) {
    if (std::find(tags.begin(), tags.end(), tag) == tags.end()) continue;
    for (const FincenClassification& cl : list) {
      // The schema allows each subtype once per activity: a second "Other"
      // adds its text to the first ("OCSE; SEXTORTION").
      auto same = std::find_if(classes.begin(), classes.end(), [&](const FincenClassification& x) {
        return x.subtype == cl.subtype;
      });
      if (same == classes.end()) {
        classes.push_back(cl);
      } else if (!cl.other.empty() && same->other.find(cl.other) == std::string::npos) {
        same->other += (same->other.empty() ? "" : "; ") + cl.other;
      }
    }
  }
  if (classes.empty() && f.has_default_classifications) classes = f.default_classifications;
  if (classes.empty()) {
    emit.Error(suspicious, "no classification: the case's tags map to none in "
                           "fincen.classifications.map, and it has no \"default\"");
  }
  for (const FincenClassification& cl : classes) {
    XmlNode* node = suspicious->Add("SuspiciousActivityClassification");
    if (!cl.other.empty()) emit.Text(node, "OtherSuspiciousActivityTypeText", cl.other);
    emit.Text(node, "SuspiciousActivitySubtypeID", cl.subtype);
    emit.Text(node, "SuspiciousActivityTypeID", cl.type);
  }
  // Assets (instruments) involved, from the transactions' channels.
  std::vector<std::pair<std::string, std::string>> assets;
  for (const cases::Transaction& t : c.transactions) {
    Context ctx = base;
    ctx.txn = &t;
    for (const FincenAssetRow& row : f.assets) {
      if (!MatchHolds(ctx, row.match)) continue;
      for (const auto& a : row.assets) {
        bool dup = std::any_of(assets.begin(), assets.end(),
                               [&](const auto& x) { return x.second == a.second; });
        if (!dup) assets.push_back(a);
      }
      break;
    }
  }
  for (const auto& [type, subtype] : assets) {
    XmlNode* node = activity->Add("Assets");
    emit.Text(node, "AssetSubtypeID", subtype);
    emit.Text(node, "AssetTypeID", type);
  }
  // The narrative, in blocks.
  std::string why;
  std::optional<std::string> narrative = RenderNarrative(base, p.narrative.text, &why);
  if (!narrative) {
    XmlNode* block = activity->Add("ActivityNarrativeInformation");
    emit.Error(block, fmt::format("no value: {} (narrative.text)", why));
  } else {
    std::vector<std::string> blocks = SplitNarrative(*narrative, kFincenNarrativeBlock);
    if (blocks.empty()) blocks.emplace_back();
    const size_t all_blocks = blocks.size();
    if (all_blocks > kFincenNarrativeBlocks) blocks.resize(kFincenNarrativeBlocks);
    XmlNode* last = nullptr;
    size_t kept = 0;
    for (size_t i = 0; i < blocks.size(); ++i) {
      XmlNode* node = activity->Add("ActivityNarrativeInformation");
      emit.Text(node, "ActivityNarrativeSequenceNumber", std::to_string(i + 1));
      kept += utf8::CountCodePoints(blocks[i]);
      last = emit.Text(node, "ActivityNarrativeText", std::move(blocks[i]));
    }
    if (all_blocks > kFincenNarrativeBlocks) {
      emit.Warning(last, fmt::format("narrative cut from {} to {} characters: FinCEN takes at most "
                                     "{} blocks of {} characters", utf8::CountCodePoints(*narrative),
                                     kept, kFincenNarrativeBlocks, kFincenNarrativeBlock));
    }
  }
  int64_t parties = 0;
  for (const auto& child : activity->children()) parties += child->name() == "Party";
  root->SetAttribute("ActivityCount", "1");
  root->SetAttribute("TotalAmount", dollars);
  root->SetAttribute("PartyCount", std::to_string(parties));
  root->SetAttribute("ActivityAttachmentCount", "0");
  root->SetAttribute("AttachmentCount", "0");
  int64_t seq = 1;
  AddSeqNums(root, &seq);
  return batch;
}

}  // namespace vigil::report

#include "referral/package.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <simdjson.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <unordered_map>
#include <unordered_set>

#include "case/case_json.hpp"
#include "pack/pack.hpp"
#include "referral/countries.hpp"
#include "referral/entities.hpp"
#include "referral/jurisdiction.hpp"
#include "referral/keyer.hpp"

namespace vigil::referral {

namespace fs = std::filesystem;
using json::Value;

namespace {

// A file written piece by piece, with its SHA-256 kept as it goes.
class HashedFile {
 public:
  bool Open(const std::string& path, std::string* error) {
    path_ = path;
    crypto_hash_sha256_init(&state_);
    file_ = std::fopen(path.c_str(), "wbx");
    if (file_ == nullptr) *error = fmt::format("cannot create '{}'", path);
    return file_ != nullptr;
  }
  bool Write(std::string_view bytes) {
    crypto_hash_sha256_update(&state_, reinterpret_cast<const unsigned char*>(bytes.data()),
                              bytes.size());
    size_ += bytes.size();
    return bytes.empty() || std::fwrite(bytes.data(), 1, bytes.size(), file_) == bytes.size();
  }
  // Flushes and closes (the whole folder is synced once, before the
  // rename); the hex SHA-256 into `sha`.
  bool Close(std::string* sha, std::string* error) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&state_, digest);
    *sha = pack::ToHex(std::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
    bool ok = std::fflush(file_) == 0;
    ok = std::fclose(file_) == 0 && ok;
    file_ = nullptr;
    if (!ok) *error = fmt::format("cannot write '{}'", path_);
    return ok;
  }
  ~HashedFile() {
    if (file_ != nullptr) std::fclose(file_);
  }
  uint64_t size() const { return size_; }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  crypto_hash_sha256_state state_{};
  uint64_t size_ = 0;
};

bool WriteSmallFile(const std::string& path, const std::string& bytes, std::string* sha,
                    std::string* error) {
  HashedFile f;
  return f.Open(path, error) && (f.Write(bytes) || (*error = "cannot write '" + path + "'", false)) &&
         f.Close(sha, error);
}

struct SubjectEntry {
  std::string id;  // entity id: the order of subjects in every file
  CountryTally tally;
  std::vector<uint32_t> files;
  int jurisdiction = -1;
  Decision decision;
};

std::string AmountText(const std::pair<int64_t, Decimal>& a) { return DecimalToString(a.second); }

// Everything a package's manifest and summary need, added up subject by subject.
struct PackageTotals {
  PackageSummary summary;
  int64_t entities = 0;
  std::map<std::string, int64_t> typologies;      // typology → subjects
  std::map<int16_t, int64_t> related;             // country → subjects
  std::map<std::string, int64_t> reasons;         // unassigned reason → subjects
  std::map<std::string, Value> rulesets;          // name\nversion\ndigest → reference
};

std::string Summary(const ReferOptions& o, const std::string& code, const Handling& h,
                    const PackageTotals& t) {
  std::string s;
  const Country* c = code == kUnassigned ? nullptr : FindCountry(code);
  s += fmt::format("# Referral package: {}\n\n", c ? fmt::format("{} ({})", c->name, code)
                                                   : std::string("subjects with no jurisdiction"));
  s += fmt::format("**{}**, handling code {}, source reliability {}, information accuracy {}.\n\n",
                   h.tlp, h.code, h.source_reliability, h.information_accuracy);
  s += fmt::format("From {} ({}), created {}{}.\n\n", o.policy.sender.name, o.policy.sender.country,
                   o.created, h.recipient.empty() ? "" : fmt::format(", for {}", h.recipient));
  s += fmt::format("{} subjects in {} cases: {} alerts on {} payments.\n",
                   t.summary.subjects, t.summary.cases, t.summary.alerts, t.summary.payments);
  for (const auto& [cur, a] : t.summary.amounts) {
    s += fmt::format("- {}: {} payments, {}\n", cur.empty() ? "no currency" : cur, a.first,
                     AmountText(a));
  }
  if (!t.typologies.empty()) {
    s += "\nTypologies (subjects):";
    for (const auto& [ty, n] : t.typologies) s += fmt::format(" {} ({})", ty, n);
    s += "\n";
  }
  if (!t.related.empty()) {
    s += "\nRelated countries (subjects):";
    for (const auto& [cc, n] : t.related) s += fmt::format(" {} ({})", Countries()[cc].code, n);
    s += "\n";
  }
  if (!t.reasons.empty()) {
    s += "\nWhy no jurisdiction (subjects):\n";
    for (const auto& [r, n] : t.reasons) s += fmt::format("- {} ({})\n", r, n);
  }
  s += fmt::format("\nIdentifiers are {}. Verify with `vigil refer verify` and the sender's "
                   "public key before use.\n",
                   h.identifiers == Identifiers::kKeyed ? "keyed (HMAC-SHA-256)" : "in clear");
  return s;
}

Value Manifest(const ReferOptions& o, const std::string& code, const Handling& h,
               const PackageTotals& t, const std::string& key_id,
               const std::vector<std::pair<std::string, std::pair<uint64_t, std::string>>>& files) {
  auto str = [](std::string s) { return Value::String(std::move(s)); };
  Value m = Value::Object();
  m.Set("format", str(kPackageFormat));
  m.Set("jurisdiction", str(code));
  const Country* c = code == kUnassigned ? nullptr : FindCountry(code);
  m.Set("country_name", c ? str(c->name) : Value::Null());
  m.Set("recipient", h.recipient.empty() ? Value::Null() : str(h.recipient));
  Value sender = Value::Object();
  sender.Set("name", str(o.policy.sender.name));
  sender.Set("country", str(o.policy.sender.country));
  sender.Set("contact", o.policy.sender.contact.empty() ? Value::Null() : str(o.policy.sender.contact));
  m.Set("sender", std::move(sender));
  m.Set("created", str(o.created));
  m.Set("tlp", str(h.tlp));
  m.Set("handling", str(h.code));
  m.Set("source_reliability", str(h.source_reliability));
  m.Set("information_accuracy", str(h.information_accuracy));
  const bool keyed = h.identifiers == Identifiers::kKeyed;
  m.Set("identifiers", str(keyed ? "keyed" : "plaintext"));
  m.Set("id_key", str(key_id));
  Value precedence = Value::Array();
  for (const PrecedenceStep& s : o.policy.precedence) {
    precedence.Push(str(fmt::format("{} ({})", s.name, s.field.name)));
  }
  m.Set("precedence", std::move(precedence));
  Value counts = Value::Object();
  counts.Set("subjects", Value::Int(t.summary.subjects));
  counts.Set("cases", Value::Int(t.summary.cases));
  counts.Set("alerts", Value::Int(t.summary.alerts));
  counts.Set("payments", Value::Int(t.summary.payments));
  counts.Set("entities", Value::Int(t.entities));
  m.Set("counts", std::move(counts));
  Value amounts = Value::Array();
  for (const auto& [cur, a] : t.summary.amounts) {
    Value x = Value::Object();
    x.Set("currency", cur.empty() ? Value::Null() : str(cur));
    x.Set("payments", Value::Int(a.first));
    x.Set("amount", str(AmountText(a)));
    amounts.Push(std::move(x));
  }
  m.Set("amounts", std::move(amounts));
  Value typologies = Value::Object();
  for (const auto& [ty, n] : t.typologies) typologies.Set(ty, Value::Int(n));
  m.Set("typologies", std::move(typologies));
  Value related = Value::Array();
  for (const auto& [cc, n] : t.related) {
    Value x = Value::Object();
    x.Set("country", str(Countries()[cc].code));
    x.Set("subjects", Value::Int(n));
    related.Push(std::move(x));
  }
  m.Set("related_countries", std::move(related));
  if (code == kUnassigned) {
    Value reasons = Value::Array();
    for (const auto& [r, n] : t.reasons) {
      Value x = Value::Object();
      x.Set("reason", str(r));
      x.Set("subjects", Value::Int(n));
      reasons.Push(std::move(x));
    }
    m.Set("unassigned_reasons", std::move(reasons));
  }
  Value rulesets = Value::Array();
  for (const auto& [k, r] : t.rulesets) rulesets.Push(r);
  m.Set("rulesets", std::move(rulesets));
  Value fl = Value::Array();
  for (const auto& [path, info] : files) {
    Value x = Value::Object();
    x.Set("path", str(path));
    x.Set("bytes", Value::Int(static_cast<int64_t>(info.first)));
    x.Set("sha256", str(info.second));
    fl.Push(std::move(x));
  }
  m.Set("files", std::move(fl));
  return m;
}

// The content hash of a package folder's files, as pack::WriteImage hashes
// a pack's files, read back from disk in pieces.
bool HashFolder(const std::string& dir, std::string* hash, std::string* error) {
  pack::ContentHasher hasher;
  std::vector<char> buf(1 << 20);
  for (const char* name : kPackageFiles) {
    const std::string path = dir + "/" + name;
    std::error_code ec;
    const uint64_t size = fs::file_size(path, ec);
    std::FILE* f = ec ? nullptr : std::fopen(path.c_str(), "rb");
    if (f == nullptr) {
      *error = fmt::format("cannot read '{}'", path);
      return false;
    }
    hasher.BeginFile(name, size);
    uint64_t total = 0;
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) {
      hasher.Update(std::string_view(buf.data(), n));
      total += n;
    }
    std::fclose(f);
    if (total != size) {
      *error = fmt::format("'{}' changed while it was read", path);
      return false;
    }
    hasher.EndFile();
  }
  *hash = hasher.Finish();
  return true;
}

// What pass 1 needs of a case file: its id, its subject and, per
// transaction, the fields that decide jurisdiction, read with simdjson
// (several times faster than building the whole tree). Any problem sends
// the caller to the strict reader, which names it.
struct ScannedCase {
  std::string case_id;
  cases::Subject subject;
  std::vector<Value> events;  // only the fields in `wanted`
};

bool ScanCase(simdjson::dom::parser& parser, const std::string& path,
              const std::vector<std::string>& wanted, ScannedCase* out) {
  simdjson::dom::element doc;
  if (parser.load(path).get(doc) != simdjson::SUCCESS) return false;
  std::string_view id, field, value;
  std::string_view format;
  if (doc["format"].get_string().get(format) || format != "vigil.case/1") return false;
  if (doc["case_id"].get_string().get(id) || doc["subject"]["field"].get_string().get(field) ||
      doc["subject"]["value"].get_string().get(value)) {
    return false;
  }
  out->case_id = id;
  out->subject = {std::string(field), std::string(value)};
  out->events.clear();
  simdjson::dom::array txs;
  if (doc["transactions"].get_array().get(txs)) return false;
  for (simdjson::dom::element t : txs) {
    simdjson::dom::object data;
    if (t["data"].get_object().get(data)) return false;
    Value ev = Value::Object();
    for (const std::string& f : wanted) {
      simdjson::dom::element v;
      if (data[f].get(v)) continue;
      switch (v.type()) {
        case simdjson::dom::element_type::STRING:
          ev.Set(f, Value::String(std::string(v.get_string().value_unsafe())));
          break;
        case simdjson::dom::element_type::BOOL:
          ev.Set(f, Value::Bool(v.get_bool().value_unsafe()));
          break;
        case simdjson::dom::element_type::NULL_VALUE:
          ev.Set(f, Value::Null());
          break;
        case simdjson::dom::element_type::ARRAY:
          ev.Set(f, Value::Array());
          break;
        case simdjson::dom::element_type::OBJECT:
          ev.Set(f, Value::Object());
          break;
        default:
          ev.Set(f, Value::Int(0));
      }
    }
    out->events.push_back(std::move(ev));
  }
  return true;
}

bool OutputFolderFree(const std::string& out, std::string* error) {
  std::error_code ec;
  fs::file_status st = fs::status(out, ec);
  if (ec || !fs::exists(st)) return true;
  if (!fs::is_directory(st)) {
    *error = fmt::format("'{}' exists and is not a folder: nothing was written", out);
    return false;
  }
  for (const auto& entry : fs::directory_iterator(out, ec)) {
    *error = fmt::format("output folder '{}' is not empty (it holds '{}'): nothing was written or "
                         "overwritten; choose a new folder",
                         out, entry.path().filename().string());
    return false;
  }
  if (ec) {
    *error = fmt::format("cannot read the folder '{}'", out);
    return false;
  }
  return true;
}

}  // namespace

bool WriteReferrals(const ReferOptions& o, const std::vector<std::string>& case_files,
                    std::vector<PackageSummary>* summary, std::string* error) {
  if (sodium_init() < 0) {
    *error = "libsodium could not be initialised";
    return false;
  }
  std::string out = o.out_dir;
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  if (!OutputFolderFree(out, error)) return false;

  const Keyer keyer(o.id_key, o.policy.normalize);
  const EntityWriter writer(o.policy, o.keyed, keyer);

  // Pass 1: every subject's countries, and which files hold its cases.
  std::unordered_map<std::string, SubjectEntry> subjects;
  std::unordered_map<std::string, uint32_t> case_ids;
  std::vector<std::string> wanted;
  for (const PrecedenceStep& step : o.policy.precedence) {
    wanted.push_back(step.field.name);
    if (step.when) wanted.push_back(step.when->name);
  }
  for (const FieldRef& f : o.policy.related) wanted.push_back(f.name);
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  simdjson::dom::parser parser;
  ScannedCase scan;
  for (uint32_t i = 0; i < case_files.size(); ++i) {
    if (!ScanCase(parser, case_files[i], wanted, &scan)) {
      // Not a case file simdjson could read: the strict reader says why.
      cases::Case c;
      if (!cases::ReadCaseFile(case_files[i], &c, error)) return false;
      scan.case_id = c.case_id;
      scan.subject = c.subject;
      scan.events.clear();
      for (cases::Transaction& t : c.transactions) scan.events.push_back(std::move(t.data));
    }
    auto [it, fresh] = case_ids.emplace(scan.case_id, i);
    if (!fresh) {
      *error = fmt::format("{}: duplicate case id '{}' (also in {})", case_files[i], scan.case_id,
                           case_files[it->second]);
      return false;
    }
    SubjectEntry& s = subjects[scan.subject.field + '\n' + scan.subject.value];
    if (s.id.empty()) s.id = writer.SubjectId(scan.subject);
    s.files.push_back(i);
    for (const Value& ev : scan.events) s.tally.Add(o.policy, ev);
  }
  case_ids.clear();

  // Each subject's package; packages in code order, "unassigned" last.
  std::vector<SubjectEntry*> order;
  order.reserve(subjects.size());
  for (auto& [key, s] : subjects) {
    s.decision = Decide(o.policy, s.tally);
    s.jurisdiction = s.decision.country < 0 ? INT32_MAX : s.decision.country;
    s.tally = CountryTally();
    order.push_back(&s);
  }
  std::sort(order.begin(), order.end(), [](const SubjectEntry* a, const SubjectEntry* b) {
    return a->jurisdiction != b->jurisdiction ? a->jurisdiction < b->jurisdiction : a->id < b->id;
  });

  // Pass 2: the packages, one at a time, in a temporary folder.
  const std::string parent = fs::path(out).has_parent_path() ? fs::path(out).parent_path().string()
                                                              : std::string(".");
  std::string tmpl = fmt::format("{}/.{}.vigil-refer-XXXXXX", parent,
                                 fs::path(out).filename().string());
  if (mkdtemp(tmpl.data()) == nullptr) {
    *error = fmt::format("cannot create a temporary folder in '{}'", parent);
    return false;
  }
  const std::string tmp = tmpl;
  auto fail = [&]() {
    std::error_code ec;
    fs::remove_all(tmp, ec);
    return false;
  };

  pack::Signature probe;
  if (!pack::SignContentHash(kReferralSignatureDomain, "", o.signing_key, &probe, error)) {
    return fail();
  }

  summary->clear();
  size_t i = 0;
  while (i < order.size()) {
    const int jur = order[i]->jurisdiction;
    const std::string code = jur == INT32_MAX ? kUnassigned : Countries()[jur].code;
    const Handling& h = o.policy.For(code);
    const bool keyed = h.identifiers == Identifiers::kKeyed;
    const std::string dir = tmp + "/" + code;
    if (!fs::create_directory(dir)) {
      *error = fmt::format("cannot create '{}'", dir);
      return fail();
    }
    HashedFile entities, evidence;
    if (!entities.Open(dir + "/entities.ftm.jsonl", error) ||
        !evidence.Open(dir + "/evidence.jsonl", error)) {
      return fail();
    }
    PackageTotals t;
    t.summary.jurisdiction = code;
    std::unordered_set<std::string> emitted;
    std::string ent_text, evi_text;
    for (; i < order.size() && order[i]->jurisdiction == jur; ++i) {
      SubjectEntry& s = *order[i];
      std::vector<cases::Case> cs(s.files.size());
      for (size_t k = 0; k < s.files.size(); ++k) {
        if (!cases::ReadCaseFile(case_files[s.files[k]], &cs[k], error)) return fail();
      }
      std::sort(cs.begin(), cs.end(), [](const cases::Case& a, const cases::Case& b) {
        return a.opened != b.opened ? a.opened < b.opened : a.case_id < b.case_id;
      });
      std::vector<std::string> notes;
      for (const std::string& r : s.decision.reasons) {
        notes.push_back("no jurisdiction: " + r);
        ++t.reasons[r];
      }
      for (int16_t rc : s.decision.related) ++t.related[rc];
      SubjectStats st;
      ent_text.clear();
      evi_text.clear();
      writer.WriteSubject(cs, keyed, code == kUnassigned ? "" : code, notes, &emitted, &ent_text,
                          &evi_text, &st);
      if (!entities.Write(ent_text) || !evidence.Write(evi_text)) {
        *error = fmt::format("cannot write the package '{}'", code);
        return fail();
      }
      ++t.summary.subjects;
      t.summary.cases += st.cases;
      t.summary.alerts += st.alerts;
      t.summary.payments += st.payments;
      t.entities += st.entities;
      for (const auto& [cur, a] : st.amounts) {
        auto& slot = t.summary.amounts[cur];
        slot.first += a.first;
        Decimal sum;
        if (DecimalAdd(slot.second, a.second, &sum)) slot.second = sum;
      }
      for (const std::string& ty : st.typologies) ++t.typologies[ty];
      for (const cases::Case& c : cs) {
        for (const cases::RulesetRef& r : c.rulesets) {
          const std::string k = r.name + '\n' + r.version + '\n' + r.sources_digest;
          if (!t.rulesets.count(k)) t.rulesets.emplace(k, cases::RulesetToJson(r));
        }
      }
    }
    t.summary.related = t.related.size();
    std::vector<std::pair<std::string, std::pair<uint64_t, std::string>>> files;
    std::string sha;
    const uint64_t ent_size = entities.size(), evi_size = evidence.size();
    if (!entities.Close(&sha, error)) return fail();
    files.push_back({"entities.ftm.jsonl", {ent_size, sha}});
    if (!evidence.Close(&sha, error)) return fail();
    files.push_back({"evidence.jsonl", {evi_size, sha}});
    const std::string summary_md = Summary(o, code, h, t);
    if (!WriteSmallFile(dir + "/summary.md", summary_md, &sha, error)) return fail();
    files.push_back({"summary.md", {summary_md.size(), sha}});
    std::string manifest;
    json::WritePretty(Manifest(o, code, h, t, keyer.key_id(), files), manifest);
    manifest += '\n';
    if (!WriteSmallFile(dir + "/manifest.json", manifest, &sha, error)) return fail();
    std::string content_hash;
    if (!HashFolder(dir, &content_hash, error)) return fail();
    pack::Signature sig;
    if (!pack::SignContentHash(kReferralSignatureDomain, content_hash, o.signing_key, &sig, error)) {
      return fail();
    }
    const std::string sig_text = fmt::format("signature {} {}\n", pack::ToHex(sig.public_key),
                                             pack::ToHex(sig.signature));
    if (!WriteSmallFile(dir + "/" + kSignatureFile, sig_text, &sha, error)) return fail();
    summary->push_back(std::move(t.summary));
  }

  // Everything on disk before the rename, in one call for all the files.
  const int dir_fd = open(tmp.c_str(), O_RDONLY | O_DIRECTORY);
  const bool synced = dir_fd >= 0 && syncfs(dir_fd) == 0;
  if (dir_fd >= 0) close(dir_fd);
  if (!synced) {
    *error = fmt::format("cannot sync '{}' to disk", tmp);
    return fail();
  }
  // Into place: the empty output folder (if any) gives way to the new one.
  std::error_code ec;
  if (fs::exists(out, ec)) fs::remove(out, ec);  // empty: checked above
  if (std::rename(tmp.c_str(), out.c_str()) != 0) {
    *error = fmt::format("cannot rename the packages into '{}'", out);
    return fail();
  }
  // The rename itself reaches the disk with its parent folder.
  const int parent_fd = open(parent.c_str(), O_RDONLY | O_DIRECTORY);
  if (parent_fd >= 0) {
    fsync(parent_fd);
    close(parent_fd);
  }
  return true;
}

}  // namespace vigil::referral

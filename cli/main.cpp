// vigil: check rule files, evaluate events. `vigil help` lists the commands.
#include <fmt/format.h>

#include <cstring>

#include "cli.hpp"

namespace vigil::cli {

namespace {

int RunHelp(const std::vector<std::string>& args);

const char kHelpUsage[] = "usage: vigil help [COMMAND]\n";

}  // namespace

const std::vector<Command>& Commands() {
  static const std::vector<Command> commands = {
      {"check", "compile rule files and report every error",
       "usage: vigil check FILES|DIRS... [-Werror] [--all-warnings]\n"
       "\n"
       "Compiles the rule files (with their imports and lists) and prints every\n"
       "diagnostic on stderr as file:line:column with a caret under the span.\n"
       "Warnings (W5xxx: unused declarations, conditions that are always true or\n"
       "false, rules that can never fire, duplicate rule ids, rules without a title\n"
       "or severity) are printed too; `# vigil: allow W5003` in a rule or on the\n"
       "line above it silences one there (docs/diagnostics.md).\n"
       "\n"
       "Every override applied is listed on stderr: its file, rule set and change.\n"
       "A directory stands for every .vgl file below it. Reporting stops after 20\n"
       "errors; after 50 warnings the rest are counted (W5013), not shown.\n"
       "\n"
       "options:\n"
       "  -Werror          treat warnings as errors (exit 1)\n"
       "  --all-warnings   show every warning\n"
       VIGIL_COMPILE_FLAGS_HELP
       "\n"
       "Exit status: 0 no errors, 1 errors (or warnings with -Werror), 2 bad usage.\n",
       RunCheck},
      {"eval", "evaluate JSON Lines events and print one decision per event",
       "usage: vigil eval --rules FILES... --events FILE.jsonl [options]\n"
       "\n"
       "Reads one JSON object per line (FILE '-' is stdin) and writes one JSON\n"
       "result per event to stdout: decision, score, fired rules, shadow rules.\n"
       "\n"
       "options:\n"
       "  --rules FILES...      rule files (and override files) to compile together;\n"
       "                        a directory stands for every .vgl file below it\n"
       "  --events FILE         JSON Lines events; '-' for stdin\n"
       "  --explain[=all|fired] add the evidence record (docs/explain.md) of every\n"
       "                        rule, or only of the rules that fired (an alert's\n"
       "                        evidence, a few KB; what `vigil case` reads)\n"
       "  --on-error skip|fail  a malformed line is reported on stderr and skipped\n"
       "                        (default), or stops the run with exit status 1\n"
       "  --allow-pii           print @pii fields in reasons instead of ****\n"
       "  --list NAME=FILE      values of the external list NAME, one a line (until\n"
       "                        supplied, `x in NAME` is unknown)\n"
       "  --state FILE          aggregates' state: loaded from FILE when it exists,\n"
       "                        saved to it (atomically) after the last event\n"
       "  --lateness DURATION   how late an event may arrive and still be recorded\n"
       "                        in the aggregates' state (default 10m)\n"
       "  --max-skew DURATION   how far ahead of the recent events an event's time\n"
       "                        may be and still be recorded (default 30d; off: no\n"
       "                        bound); later ones are reported as outliers\n"
       "  --no-record           evaluate without recording events in the state\n"
       "  --output all|alerts|decisions\n"
       "                        what is written per event: the whole result (default),\n"
       "                        only the results of events on which a rule fired\n"
       "                        (shadow rules included), or only {event, decision,\n"
       "                        score} (backtests; `vigil case` needs all)\n"
       "  --threads N           read, evaluate and format on N threads (default: every\n"
       "                        core); the output is byte for byte that of one thread\n"
       VIGIL_COMPILE_FLAGS_HELP
       "\n"
       "Aggregates keep their state across the events of the stream. Options that\n"
       "take one value may be given once (--list once per list).\n"
       "\n"
       "Exit status: 0 all lines evaluated or skipped as asked, 1 a line failed with\n"
       "--on-error fail, the events file cannot be read or the state cannot be\n"
       "loaded or saved, 2 bad usage or rules that do not compile. The last line on\n"
       "stderr counts evaluated, skipped, late and outlier events.\n",
       RunEval},
      {"case", "group alerts into case files by subject (customer, account, card, merchant)",
       "usage: vigil case --results RESULTS.jsonl --events EVENTS.jsonl -o DIR [options]\n"
       "\n"
       "Reads the results of `vigil eval --explain` (or --explain=fired) and the events\n"
       "they came from, in step (results in the events' order), and writes one case file\n"
       "DIR/CASE_ID.json per case (docs/case.md): the subject, its alerts in time order\n"
       "with their evidence, the transactions, totals per currency, typologies and\n"
       "rules. A result with fired rules is an alert; it joins its subject's open case\n"
       "when it comes within the case window of that case's latest alert. Only open\n"
       "cases are kept in memory. DIR must be new or empty; nothing is written unless\n"
       "the whole input is read without error.\n"
       "\n"
       "options:\n"
       "  --subject FIELD       group by this event member (default: the schema's\n"
       "                        @subject field, named by the evidence records)\n"
       "  --case-window DUR     a later alert opens a new case (default 30d)\n"
       "  --min-decision D      write only cases whose highest decision is at least D\n"
       "                        (default: the second lowest, review in the default order)\n"
       "  --amount MEMBER       the events' amount, for totals (default amount)\n"
       "  --currency MEMBER     the events' currency, for totals (default currency)\n"
       "\n"
       "Exit status: 0 cases written, 1 bad input (a malformed line, a result without\n"
       "evidence, an unknown event id, an output folder that holds files), 2 bad usage.\n",
       RunCase},
      {"refer", "signed referral packages, one per jurisdiction, from case files",
       "usage: vigil refer --cases DIR --policy POLICY.json --id-key ID.key\n"
       "                   --signing-key SIGNER.key --created TIME -o DIR\n"
       "       vigil refer verify PACKAGE... --trust KEY.pub[,KEY.pub]\n"
       "\n"
       "Decides each case subject's jurisdiction by the policy's precedence and writes\n"
       "one package per country, DIR/CC/ (and DIR/unassigned/), each holding\n"
       "manifest.json, entities.ftm.jsonl, evidence.jsonl, summary.md and signatures\n"
       "(docs/referral.md). Identifiers are keyed with HMAC-SHA-256 under the --id-key\n"
       "key (a key file as `vigil list hash --key` reads it) unless the policy allows\n"
       "plaintext for the jurisdiction; packages are signed with a `vigil pack keygen`\n"
       "secret key. The same input gives the same bytes. DIR must be new or empty;\n"
       "nothing is written unless every package is. Prints a summary table.\n"
       "\n"
       "verify checks that a package holds exactly its files, that each file's SHA-256\n"
       "is the manifest's and that a trusted key signed it.\n"
       "\n"
       "Exit status: 0 written (verify: every package accepted), 1 bad input or a\n"
       "package refused, 2 bad usage.\n",
       RunRefer},
      {"impact", "impact metrics from cases and their outcomes, with small cells suppressed",
       "usage: vigil impact --cases DIR --outcomes OUTCOMES.jsonl [--k 10] [--period month|week]\n"
       "                    -o impact.json [--html impact.html]\n"
       "       vigil impact merge A.json B.json... -o coalition.json [--html FILE]\n"
       "\n"
       "Counts what the cases led to (docs/impact.md): cases investigated and\n"
       "prosecuted first, then per period and typology alerts, cases, reports filed,\n"
       "referrals by country, merchants terminated, investigations and prosecutions;\n"
       "time from first alert to report and from report to feedback; precision per\n"
       "rule. Counts below k are published as \"<k\", with complementary cells\n"
       "suppressed so that none can be recovered from the totals. merge adds members'\n"
       "files into coalition totals.\n"
       "\n"
       "Exit status: 0 written, 1 bad input, 2 bad usage.\n",
       RunImpact},
      {"explain", "show why each rule fired or did not for one event",
       "usage: vigil explain --rules FILES... --event JSON|@FILE [options]\n"
       "\n"
       "Evaluates one event (without recording it) and prints, for every rule, its\n"
       "condition as a tree with the value of each sub-expression: true, false,\n"
       "missing, or the value itself; then the fields the condition reads. A\n"
       "directory given to --rules stands for every .vgl file below it.\n"
       "\n"
       "options:\n"
       "  --history FILE.jsonl  record these events first, for windowed aggregates\n"
       "  --fired               only the rules that fired\n"
       "  --json                print the explanation record (docs/explain.md)\n"
       "  --allow-pii           show @pii fields instead of ****\n"
       VIGIL_COMPILE_FLAGS_HELP
       "\n"
       "Exit status: 0 explained, 1 a bad event or unreadable file, 2 bad usage or\n"
       "rules that do not compile.\n",
       RunExplain},
      {"test", "run a rule set's inline tests and JSON Lines fixtures",
       "usage: vigil test PATHS... [--junit FILE] [--require-coverage] [--list NAME=FILE]\n"
       "                  [--threads N]\n"
       "\n"
       "PATHS are rule files (compiled together), fixture files (.jsonl) and\n"
       "directories (every .vgl and .jsonl file below them). Runs each inline `test`\n"
       "block and each fixture file from a fresh state (aggregates see only that\n"
       "test's events, in order). A fixture line is an event that may carry\n"
       "\"expect\": {\"fires\": [...], \"not_fires\": [...], \"decision\": \"...\",\n"
       "\"score\": N, \"tags\": [...]}.\n"
       "\n"
       "Prints PASS or FAIL per test with each failed expectation (where, the event,\n"
       "what fired), the rules no test fired, and last the line `N passed, N failed`.\n"
       "\n"
       "options:\n"
       "  --junit FILE          also write the results as JUnit XML\n"
       "  --require-coverage    fail when a rule was fired by no test\n"
       "  --list NAME=FILE      values of the external list NAME for every test\n"
       "  --threads N           run fixtures on N threads (default: every core), as\n"
       "                        vigil eval does, with the same results\n"
       VIGIL_COMPILE_FLAGS_HELP
       "\n"
       "Exit status: 0 all passed, 1 a test failed (or coverage is required and\n"
       "missing), 2 bad usage or rules that do not compile. See docs/testing.md.\n",
       RunTest},
      {"fmt", "rewrite rule files in the canonical layout",
       "usage: vigil fmt [--check] FILES...\n"
       "\n"
       "Rewrites each file in the canonical layout (docs/authoring.md): two-space\n"
       "indentation, continuation lines aligned under their clause, normal spacing,\n"
       "at most one blank line, trailing comments aligned. Line breaks and comments\n"
       "are kept; formatting twice changes nothing. A file with syntax errors is\n"
       "reported and left alone.\n"
       "\n"
       "options:\n"
       "  --check   change nothing; print a diff for each file that is not formatted\n"
       "\n"
       "Exit status: 0 done (with --check: every file formatted), 1 a file is not\n"
       "formatted (--check), has syntax errors or cannot be read or written, 2 bad usage.\n",
       RunFmt},
      {"list", "turn a plain watchlist into a hashed one",
       "usage: vigil list hash [--normalize NAME] [--key KEYFILE] [-o OUT] FILE\n"
       "\n"
       "Reads a plain list (one value a line, # comments) and writes the lowercase hex\n"
       "SHA-256 digest of each value after normalisation (HMAC-SHA-256 with --key),\n"
       "sorted and without duplicates, for `list NAME: hashed(normalize: \"NAME\") set\n"
       "from \"OUT\"`. Normalisations: none (default), digits (card numbers: spaces and\n"
       "dashes dropped), lower_trim (e-mail addresses), trim, alnum_upper (IBANs).\n"
       "Every member must use the same normalisation and key, or digests will not\n"
       "match (docs/sharing.md). An entry's `@expires DATE` is kept on its digest's\n"
       "line. Writes to standard output without -o; a value that\n"
       "normalises to nothing is an error naming its line. Exit 0, 1 on bad input.\n",
       RunList},
      {"pack", "build, sign, verify and inspect rule packs (.vgp)",
       "usage: vigil pack keygen NAME [--force]\n"
       "       vigil pack build DIR -o NAME.vgp\n"
       "       vigil pack sign PACK.vgp --key NAME.key [-o OUT.vgp]\n"
       "       vigil pack verify PACK.vgp [--trust K.pub[,K2.pub]] [--revoked K.pub]\n"
       "                         [--require-signed] [--min-version X.Y.Z] [--selftest]\n"
       "       vigil pack info PACK.vgp\n"
       "\n"
       "keygen writes an Ed25519 key pair: NAME.key (secret, mode 600) and NAME.pub;\n"
       "it refuses to overwrite existing key files unless given --force.\n"
       "build reads DIR/pack.json (docs/sharing.md), refuses lists whose TLP marking\n"
       "forbids the pack's audience, and writes one deterministic file (the same\n"
       "inputs give the same bytes) after checking that it compiles and that its\n"
       "tests pass. sign adds a signature. verify checks the content hash, every\n"
       "signature and the host's policy; --selftest then runs the pack's own tests\n"
       "and fixtures on this host. info lists what the pack needs: vigil version,\n"
       "schema and fields. Any command loads a pack given as a rule file; set\n"
       "VIGIL_TRUSTED_KEYS, VIGIL_REVOKED_KEYS and VIGIL_MIN_PACK_VERSION to enforce a\n"
       "policy there; VIGIL_SIGNED_ONLY=1 refuses plain rule files too, except the\n"
       "host's own named in VIGIL_LOCAL_FILES=a.vgl,b.vgl (docs/sharing.md).\n"
       "Exit 0, 1 when refused or failing, 2 on usage errors.\n",
       RunPack},
      {"diff", "backtest: how a new rule-set version changes decisions on a corpus",
       "usage: vigil diff OLD NEW --events FILE.jsonl [--old-with FILE]... [--new-with FILE]...\n"
       "                  [--list NAME=FILE]... [--json] [--threads N]\n"
       "\n"
       "Runs both versions over the same events (each with its own aggregates' state)\n"
       "and reports how decisions change (old -> new, with example event ids) and, per\n"
       "rule, how often it fired before and after, newly fired and no longer fired.\n"
       "OLD and NEW are each a rule file, a directory of .vgl files or a pack (.vgp);\n"
       "--old-with/--new-with add files to one side, such as a member's override file;\n"
       "--list supplies an external list to each side that declares it;\n"
       "--allow-pack-overrides and --read-root DIR as for vigil check.\n"
       "--threads N evaluates on N threads (default: every core), with the same report.\n"
       "--json writes one JSON object instead of text. A malformed event line is\n"
       "reported with its line number, skipped and counted. Exit 0 when nothing\n"
       "changes, 1 when something does, 2 on errors (rules that do not compile, no\n"
       "event evaluated).\n",
       RunDiff},
      {"lsp", "run the language server for editors (LSP on stdin/stdout)",
       "usage: vigil lsp [--stdio]\n"
       "\n"
       "Speaks the Language Server Protocol on standard input and output, for\n"
       "editors (docs/editors.md): the diagnostics of `vigil check` as you type,\n"
       "hover, completion, go to definition, references, rename, formatting,\n"
       "document symbols, quick fixes, semantic tokens, and code lenses with each\n"
       "rule's test results. Rule files are compiled as `vigil check` compiles them,\n"
       "with the same environment (VIGIL_HMAC_KEYS, VIGIL_HOST_SCHEMA, pack policy).\n"
       "--stdio is accepted (editors pass it) and changes nothing. Nothing but protocol\n"
       "messages is written to standard output.\n"
       "\n"
       "Exit status: 0 after the client's shutdown and exit, 1 when the input ends\n"
       "without them.\n",
       RunLsp},
      {"report", "write a goAML or FinCEN SAR report file from a case, through an FIU profile",
       "usage: vigil report goaml      --profile P.json --case CASE.json [-o OUT.xml] [--xsd FIU.xsd]\n"
       "       vigil report fincen-sar --profile P.json --case CASE.json [-o OUT.xml] [--xsd SARX.xsd]\n"
       "       options: [--lookup NAME=FILE.jsonl]... [--date YYYY-MM-DD]\n"
       "\n"
       "Builds the report the FIU profile describes (docs/reporting.md) from a case\n"
       "file of `vigil case`: a no-namespace goAML <report>, or a FinCEN SAR batch\n"
       "(EFilingBatchXML). Values the FIU's schema cannot take are transliterated or\n"
       "cut as the profile says, each change printed as a warning naming the\n"
       "element. Data the profile needs but the case lacks is an error naming the\n"
       "element and the field that should have supplied it.\n"
       "\n"
       "options:\n"
       "  --profile FILE        the FIU profile (examples/reporting/*.json)\n"
       "  --case PATH           a case file, or a directory of case files (then -o is\n"
       "                        a directory and each report is CASE_ID.xml in it)\n"
       "  -o OUT                write the report there, atomically (default: stdout)\n"
       "  --xsd FILE            validate the report against the FIU's XSD (libxml2)\n"
       "                        before writing; an invalid report is not written\n"
       "  --lookup NAME=FILE    the bank's records for the profile's lookup NAME (JSON\n"
       "                        Lines, keyed as the profile says), e.g. KYC data\n"
       "  --date YYYY-MM-DD     the report's date (default: today in the profile's zone)\n"
       "\n"
       "Exit status: 0 written (and valid, with --xsd); 1 the report does not validate\n"
       "against the XSD (each error with its line and element path); 2 bad input: a\n"
       "bad profile, case or lookup file, data the profile needs is missing, or bad usage.\n"
       "Nothing is written for a case that fails. Whether to file stays the bank's decision.\n",
       RunReport},
      {"help", "show help for a command", kHelpUsage, RunHelp},
  };
  return commands;
}

const Command* FindCommand(std::string_view name) {
  for (const auto& c : Commands()) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

int Usage(const Command& cmd, const std::string& problem) {
  fmt::print(stderr, "vigil {}: {}\n{}", cmd.name, problem, cmd.usage);
  return kExitUsage;
}

namespace {

void PrintOverview(std::FILE* out) {
  fmt::print(out, "usage: vigil COMMAND [ARGS]\n\ncommands:\n");
  for (const auto& c : Commands()) fmt::print(out, "  {:<8} {}\n", c.name, c.summary);
  fmt::print(out, "\n`vigil help COMMAND` or `vigil COMMAND --help` for details; "
                  "`vigil --version` for the version.\n"
                  "In every command, an option that takes one value may be given once.\n");
}

int RunHelp(const std::vector<std::string>& args) {
  if (args.empty()) {
    PrintOverview(stdout);
    return kExitOk;
  }
  const Command* cmd = FindCommand(args[0]);
  if (cmd == nullptr) {
    fmt::print(stderr, "vigil help: unknown command '{}'\n", args[0]);
    PrintOverview(stderr);
    return kExitUsage;
  }
  fmt::print("{}", cmd->usage);
  return kExitOk;
}

}  // namespace

}  // namespace vigil::cli

int main(int argc, char** argv) {
  using namespace vigil::cli;
  if (argc < 2) {
    PrintOverview(stderr);
    return kExitUsage;
  }
  std::string_view first = argv[1];
  if (first == "--version" || first == "version") {
    fmt::print("vigil {}\n", VIGIL_VERSION_STRING_INTERNAL);
    return kExitOk;
  }
  if (first == "--help" || first == "-h") {
    PrintOverview(stdout);
    return kExitOk;
  }
  const Command* cmd = FindCommand(first);
  if (cmd == nullptr) {
    fmt::print(stderr, "vigil: unknown command '{}'\n", first);
    PrintOverview(stderr);
    return kExitUsage;
  }
  std::vector<std::string> args(argv + 2, argv + argc);
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") {
      fmt::print("{}", cmd->usage);
      return kExitOk;
    }
  }
  try {
    return cmd->run(args);
  } catch (const std::bad_alloc&) {
    // Every input has a limit (docs/limits.md) meant to make this unreachable;
    // if memory still runs out, say what was being read.
    const std::string doing = Doing::Describe();
    fmt::print(stderr, "vigil {}: out of memory{}{}\n", cmd->name, doing.empty() ? "" : " while ",
               doing);
  } catch (const std::exception& e) {
    const std::string doing = Doing::Describe();
    fmt::print(stderr, "vigil {}: internal error{}{}: {}\n", cmd->name,
               doing.empty() ? "" : " while ", doing, e.what());
  }
  return kExitFailure;
}

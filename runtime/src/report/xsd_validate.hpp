// Validation of a report against the regulator's XSD with libxml2 (XSD 1.0;
// the goAML and FinCEN schemas declare 1.1 but use nothing of it,
// REPORTING.md §1.5). The document is parsed from the bytes that will be
// written, so error lines are lines of the output file.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::report {

struct XsdError {
  int line = 0;
  std::string path;     // "/report/transaction[2]/t_from_my_client/from_account/swift"
  std::string message;  // libxml2's text, one line
};

class XsdValidator {
 public:
  ~XsdValidator();
  XsdValidator(const XsdValidator&) = delete;
  XsdValidator& operator=(const XsdValidator&) = delete;

  // Loads and compiles a schema file (no network access: imports must be
  // local). Null with a message naming the file on failure.
  static std::unique_ptr<XsdValidator> Load(const std::string& path, std::string* error);

  // Validates `xml`; true when valid. Otherwise `errors` holds every error
  // libxml2 reported (a document that is not well-formed gives its parse
  // errors). Safe to call repeatedly; one thread at a time.
  bool Validate(std::string_view xml, std::vector<XsdError>* errors) const;

  const std::string& path() const { return path_; }

 private:
  XsdValidator() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string path_;
};

}  // namespace vigil::report

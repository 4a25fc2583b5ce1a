// Writing profile values into a report tree: each value is read (paths.hpp),
// fitted to the profile's text rules (fit.hpp) and added as an element; what
// was changed, and what was missing, is recorded against the element so that
// messages can name it by its path in the finished document.
#pragma once

#include <string>
#include <vector>

#include "report/paths.hpp"
#include "report/profile.hpp"
#include "report/xml_tree.hpp"

namespace vigil::report {

struct Problem {
  bool error = false;
  const XmlNode* node = nullptr;  // the element concerned (null: the report as a whole)
  std::string message;
};

// "warning: /report/reason: cut from 9532 to 8000 characters (the limit is 8000)"
std::string RenderProblem(const Problem& p);

class Emitter {
 public:
  Emitter(const Profile& profile, std::vector<Problem>* problems)
      : profile_(profile), problems_(problems) {}

  // Adds `name` under `parent` with the value of `spec`. Returns the new
  // element, or null when the value is missing: an error (naming what should
  // have supplied it), or nothing at all for an optional value.
  XmlNode* Value(XmlNode* parent, const std::string& name, const ValueSpec& spec,
                 const Context& ctx);

  // Adds `name` holding `text`, fitted to the profile's text rules.
  XmlNode* Text(XmlNode* parent, const std::string& name, std::string text);

  // Adds the elements of a template, in order. An optional element ("$optional")
  // whose values are missing is left out without an error; so is an element
  // left without any content.
  void Elements(XmlNode* parent, const std::vector<ElementSpec>& elements, const Context& ctx);

  void Error(const XmlNode* node, std::string message) {
    problems_->push_back(Problem{true, node, std::move(message)});
  }
  void Warning(const XmlNode* node, std::string message) {
    problems_->push_back(Problem{false, node, std::move(message)});
  }

  size_t errors() const;

 private:
  // Fits `node`'s text, recording changes; an unfixable value is an error.
  void Fit(XmlNode* node, std::string text);

  const Profile& profile_;
  std::vector<Problem>* problems_;
};

}  // namespace vigil::report

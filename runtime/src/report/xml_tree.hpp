// A small in-memory XML tree for reports: built element by element in the
// order the regulator's schema wants, then written out in one deterministic
// layout. Values are stored as they will be written (already fitted to the
// profile's rules, see fit.hpp); the writer only escapes.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::report {

class XmlNode {
 public:
  explicit XmlNode(std::string name, XmlNode* parent = nullptr)
      : name_(std::move(name)), parent_(parent) {}
  XmlNode(const XmlNode&) = delete;
  XmlNode& operator=(const XmlNode&) = delete;

  const std::string& name() const { return name_; }
  const std::string& text() const { return text_; }
  XmlNode* parent() const { return parent_; }
  const std::vector<std::unique_ptr<XmlNode>>& children() const { return children_; }
  const std::vector<std::pair<std::string, std::string>>& attributes() const { return attrs_; }

  // Appends a child element and returns it.
  XmlNode* Add(std::string name);
  // Appends a child element holding `text` and returns it.
  XmlNode* AddLeaf(std::string name, std::string text);
  void SetText(std::string text) { text_ = std::move(text); }
  void SetAttribute(std::string name, std::string value);
  // Removes the last child (a branch that turned out to have no content).
  void RemoveLastChild() { children_.pop_back(); }

  // The node's place in the document as libxml2 prints it in validation
  // errors: "/report/transaction[2]/t_from_my_client/from_account/account";
  // an index appears only where the parent has several children of that name.
  std::string Path() const;

 private:
  std::string name_;
  std::string text_;
  XmlNode* parent_;
  std::vector<std::pair<std::string, std::string>> attrs_;
  std::vector<std::unique_ptr<XmlNode>> children_;
};

// `<?xml version="1.0" encoding="UTF-8"?>`, then the tree with two-space
// indentation, one element per line, leaf text on the element's line, LF line
// ends and a final newline. Text and attribute values are escaped; they must
// be valid UTF-8 without characters XML 1.0 forbids (fit.hpp guarantees it).
std::string WriteXml(const XmlNode& root);

// Escapes &, <, > (and " in attributes) into `out`.
void AppendXmlEscaped(std::string_view text, bool attribute, std::string& out);

}  // namespace vigil::report

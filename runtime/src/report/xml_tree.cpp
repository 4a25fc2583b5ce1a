#include "report/xml_tree.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace vigil::report {

XmlNode* XmlNode::Add(std::string name) {
  children_.push_back(std::make_unique<XmlNode>(std::move(name), this));
  return children_.back().get();
}

XmlNode* XmlNode::AddLeaf(std::string name, std::string text) {
  XmlNode* node = Add(std::move(name));
  node->text_ = std::move(text);
  return node;
}

void XmlNode::SetAttribute(std::string name, std::string value) {
  for (auto& [n, v] : attrs_) {
    if (n == name) {
      v = std::move(value);
      return;
    }
  }
  attrs_.emplace_back(std::move(name), std::move(value));
}

std::string XmlNode::Path() const {
  std::vector<std::string> parts;
  for (const XmlNode* n = this; n != nullptr; n = n->parent_) {
    std::string part = n->name_;
    if (n->parent_ != nullptr) {
      size_t same = 0, index = 0;
      for (const auto& sibling : n->parent_->children_) {
        if (sibling->name_ != n->name_) continue;
        ++same;
        if (sibling.get() == n) index = same;
      }
      if (same > 1) part = fmt::format("{}[{}]", part, index);
    }
    parts.push_back(std::move(part));
  }
  std::string path;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    path += '/';
    path += *it;
  }
  return path;
}

void AppendXmlEscaped(std::string_view text, bool attribute, std::string& out) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"':
        if (attribute) {
          out += "&quot;";
        } else {
          out += c;
        }
        break;
      // Attribute values are normalised by parsers: keep line ends and tabs.
      case '\n': out += attribute ? "&#10;" : "\n"; break;
      case '\r': out += "&#13;"; break;  // a raw CR would be read back as LF
      case '\t': out += attribute ? "&#9;" : "\t"; break;
      default: out += c;
    }
  }
}

namespace {

void WriteNode(const XmlNode& node, int depth, std::string& out) {
  out.append(static_cast<size_t>(depth) * 2, ' ');
  out += '<';
  out += node.name();
  for (const auto& [name, value] : node.attributes()) {
    out += ' ';
    out += name;
    out += "=\"";
    AppendXmlEscaped(value, true, out);
    out += '"';
  }
  if (node.children().empty()) {
    if (node.text().empty()) {
      out += "/>\n";
      return;
    }
    out += '>';
    AppendXmlEscaped(node.text(), false, out);
  } else {
    out += ">\n";
    for (const auto& child : node.children()) WriteNode(*child, depth + 1, out);
    out.append(static_cast<size_t>(depth) * 2, ' ');
  }
  out += "</";
  out += node.name();
  out += ">\n";
}

}  // namespace

std::string WriteXml(const XmlNode& root) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  WriteNode(root, 0, out);
  return out;
}

}  // namespace vigil::report

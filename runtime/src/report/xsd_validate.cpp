#include "report/xsd_validate.hpp"

#include <fmt/format.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include <cstdint>
#include <mutex>

namespace vigil::report {

namespace {

void InitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

std::string OneLine(const char* message) {
  std::string s = message == nullptr ? "" : message;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (char& c : s) {
    if (c == '\n') c = ' ';
  }
  return s;
}

// "/EFilingBatchXML/Activity/Party[6]/Address/RawStateCodeText": local names
// (libxml2's own xmlGetNodePath writes "*" for elements in a default
// namespace), with an index where the parent has several of that name.
std::string NodePath(xmlNodePtr node) {
  std::vector<std::string> parts;
  for (xmlNodePtr n = node; n != nullptr && n->type == XML_ELEMENT_NODE; n = n->parent) {
    const char* name = reinterpret_cast<const char*>(n->name);
    size_t same = 0, index = 0;
    if (n->parent != nullptr) {
      for (xmlNodePtr s = n->parent->children; s != nullptr; s = s->next) {
        if (s->type != XML_ELEMENT_NODE || xmlStrcmp(s->name, n->name) != 0) continue;
        ++same;
        if (s == n) index = same;
      }
    }
    parts.push_back(same > 1 ? fmt::format("{}[{}]", name, index) : std::string(name));
  }
  std::string path;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    path += '/';
    path += *it;
  }
  return path;
}

// Collects errors; drops warnings (FinCEN's namespace URI is "not absolute",
// which libxml2 warns about for the schema and for every instance).
struct Collector {
  std::vector<XsdError>* errors;
  static void Handle(void* user, xmlErrorPtr e) {
    auto* self = static_cast<Collector*>(user);
    if (e == nullptr || e->level == XML_ERR_WARNING || self->errors == nullptr) return;
    XsdError out;
    out.line = e->line;
    if (e->node != nullptr && e->domain == XML_FROM_SCHEMASV) {
      auto* node = static_cast<xmlNodePtr>(e->node);
      out.path = NodePath(node);
      if (out.line == 0) out.line = static_cast<int>(xmlGetLineNo(node));
    }
    out.message = OneLine(e->message);
    self->errors->push_back(std::move(out));
  }
};

}  // namespace

struct XsdValidator::Impl {
  xmlSchemaPtr schema = nullptr;
  ~Impl() {
    if (schema != nullptr) xmlSchemaFree(schema);
  }
};

XsdValidator::~XsdValidator() = default;

std::unique_ptr<XsdValidator> XsdValidator::Load(const std::string& path, std::string* error) {
  InitOnce();
  std::vector<XsdError> errors;
  Collector collector{&errors};
  xmlSchemaParserCtxtPtr ctxt = xmlSchemaNewParserCtxt(path.c_str());
  if (ctxt == nullptr) {
    *error = fmt::format("cannot read the schema \"{}\"", path);
    return nullptr;
  }
  xmlSchemaSetParserStructuredErrors(ctxt, &Collector::Handle, &collector);
  // Parsing the XSD itself may report through the global handler too.
  xmlSetStructuredErrorFunc(&collector, &Collector::Handle);
  xmlSchemaPtr schema = xmlSchemaParse(ctxt);
  xmlSetStructuredErrorFunc(nullptr, nullptr);
  xmlSchemaFreeParserCtxt(ctxt);
  if (schema == nullptr) {
    std::string first = errors.empty() ? "it is not an XML schema" : errors.front().message;
    if (!errors.empty() && errors.front().line > 0) {
      first = fmt::format("line {}: {}", errors.front().line, first);
    }
    *error = fmt::format("cannot load the schema \"{}\": {}", path, first);
    return nullptr;
  }
  auto v = std::unique_ptr<XsdValidator>(new XsdValidator());
  v->impl_ = std::make_unique<Impl>();
  v->impl_->schema = schema;
  v->path_ = path;
  return v;
}

bool XsdValidator::Validate(std::string_view xml, std::vector<XsdError>* errors) const {
  InitOnce();
  errors->clear();
  if (xml.size() > static_cast<size_t>(INT32_MAX)) {
    errors->push_back(XsdError{0, "", "the document is too large to validate"});
    return false;
  }
  Collector collector{errors};
  xmlSetStructuredErrorFunc(&collector, &Collector::Handle);
  // No network, no entity expansion, no DTD loading: the report is ours, but
  // the parser is kept strict anyway.
  xmlDocPtr doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "report.xml", "UTF-8",
                                XML_PARSE_NONET | XML_PARSE_NOWARNING);
  bool valid = false;
  if (doc != nullptr) {
    xmlSchemaValidCtxtPtr vctxt = xmlSchemaNewValidCtxt(impl_->schema);
    if (vctxt != nullptr) {
      xmlSchemaSetValidStructuredErrors(vctxt, &Collector::Handle, &collector);
      valid = xmlSchemaValidateDoc(vctxt, doc) == 0;
      xmlSchemaFreeValidCtxt(vctxt);
    }
    xmlFreeDoc(doc);
  }
  xmlSetStructuredErrorFunc(nullptr, nullptr);
  if (!valid && errors->empty()) {
    errors->push_back(XsdError{0, "", "the document could not be validated"});
  }
  return valid && errors->empty();
}

}  // namespace vigil::report

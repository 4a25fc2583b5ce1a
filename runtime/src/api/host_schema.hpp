// Compatibility at load (docs/sharing.md): the host declares the schema its
// events follow, and the rules may only read what it provides.
#pragma once

#include "api/compiler.hpp"

namespace vigil {

// Checks `program` against the host's schema (a .vgl source declaring one
// schema): the same schema name, at least the version the rules are
// written for, and every field the compiled rules read (eval::FieldsRead)
// with its type. Fields no rule reads are not required. All the missing
// fields are listed in one E2019 diagnostic; each field of another type gets
// its own, at the host's declaration. Returns false when incompatible.
bool CheckHostSchema(const SourceInput& host, const eval::Program& program,
                     SourceManager& sources, DiagSink& diags);

}  // namespace vigil

#pragma once

// How IngestStore stores enum values: region kinds, actor kinds, layers and
// weight conventions are kept as their proto names without the enum's
// prefix, in lower case ("province", "research_institute";
// libs/codecs/enum_codecs.h); a layer may be "". Reading a name back that
// this build does not know (written by a newer one) is INTERNAL naming the
// column, never some other value.
//
//   tx.exec_params(sql, StoredName(region.kind()));
//   ASSIGN_OR_RETURN(v1::RegionKind kind, FromStored<v1::RegionKind>(text, "regions.kind"));

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "innoscope/ingest/v1/ingest.pb.h"
#include "libs/codecs/enum_codecs.h"

namespace innoscope::ingest {

template <typename P>
std::string StoredName(P value) {
  return codecs::ProtoEnumName(value);
}

inline std::string StoredLayer(v1::Layer layer) {
  return layer == v1::LAYER_UNSPECIFIED ? "" : StoredName(layer);
}

template <typename P>
absl::StatusOr<P> FromStored(const std::string& text, const char* column) {
  absl::StatusOr<P> value = codecs::ProtoEnumFromName<P>(text);
  if (!value.ok()) {
    return absl::InternalError(
        absl::StrCat(column, ": the stored value '", text, "' is unknown to this build"));
  }
  return *value;
}

inline absl::StatusOr<v1::Layer> LayerFromStored(const std::string& text) {
  if (text.empty()) return v1::LAYER_UNSPECIFIED;
  return FromStored<v1::Layer>(text, "actors.layer");
}

}  // namespace innoscope::ingest

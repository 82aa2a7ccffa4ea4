#pragma once

// The files of `innoscope demo generate`: synthetic data (libs/synth) as the
// CSV files the importers read, each marked as synthetic in a way the
// importers keep without changing what they mean (the CSV reader takes no
// comment lines):
//
//   actors.csv        code,name,kind,province,sample,platform,foreign,layer,
//                     first_year,provenance   (import actors: first_year and
//                     provenance=synthetic become attributes; every name
//                     starts "Synthetic")
//   relations.csv     source,target,type,year,amount,qualifier,international,
//                     provenance               (import relations: tags
//                     international=true where an end is foreign, and
//                     provenance=synthetic on every row)
//   observations.csv  region,indicator,period,value,source   (long form;
//                     source "synthetic" on every row)
//   SYNTHETIC.txt     what was generated, with which parameters, and that
//                     none of it is real
//
// Numbers are written with FormatDouble (shortest round trip), so the same
// data always gives the same bytes.
//
//   DemoFiles files = RenderDemoFiles(data, options);
//   Write(dir + "/actors.csv", files.actors);

#include <string>

#include "libs/synth/synthetic_data.h"

namespace innoscope::cli {

// The source of every generated observation and the provenance attribute
// and tag of every actor and relation.
inline constexpr char kSyntheticSource[] = "synthetic";

struct DemoFiles {
  std::string actors;
  std::string relations;
  std::string observations;
  std::string notice;  // SYNTHETIC.txt
};

DemoFiles RenderDemoFiles(const synth::SyntheticData& data, const synth::SyntheticOptions& options);

}  // namespace innoscope::cli

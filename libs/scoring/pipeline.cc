#include "libs/scoring/pipeline.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/index/denominate.h"
#include "libs/index/matrix_ops.h"
#include "libs/index/screen.h"
#include "libs/index/weights.h"
#include "libs/scoring/framework_adapter.h"

namespace innoscope::scoring {
namespace {

// The spec for one leaf: the override when given, else the default, with
// the framework's direction, goalposts and target filled in where the spec
// leaves them open.
index::NormaliseSpec LeafSpec(const PipelineSpec& spec, const index::FrameworkNode& leaf) {
  auto it = spec.by_indicator.find(leaf.code);
  index::NormaliseSpec s = it != spec.by_indicator.end() ? it->second : spec.normalise;
  s.direction = leaf.direction;
  if (!s.goal_min && leaf.goal_min) s.goal_min = leaf.goal_min;
  if (!s.goal_max && leaf.goal_max) s.goal_max = leaf.goal_max;
  if (!s.target && leaf.target) s.target = leaf.target;
  return s;
}

}  // namespace

absl::StatusOr<PipelineResult> TreatLeaves(const PipelineInputs& in, const PipelineSpec& spec,
                                           const RunControl& control) {
  const index::Framework& f = in.framework;
  PipelineResult out;
  ASSIGN_OR_RETURN(index::DataMatrix data, index::SelectIndicators(in.data, f.LeafCodes()));
  if (!in.groups.empty() && in.groups.size() != data.rows()) {
    return absl::InvalidArgumentError(
        absl::StrCat("groups: ", in.groups.size(), " labels for ", data.rows(), " regions"));
  }
  if (spec.denominate) {
    if (in.denominators == nullptr) {
      return absl::InvalidArgumentError(
          "denomination needs denominator values (the indicators named as denominators)");
    }
    ASSIGN_OR_RETURN(
        index::DenominateResult d,
        index::Denominate(data, *in.denominators, index::DenominatorSpecsFromFramework(f)));
    data = std::move(d.data);
    out.undefined_cells = std::move(d.undefined_cells);
  }
  out.raw = data;

  ASSIGN_OR_RETURN(index::ImputeResult imputed, index::Impute(data, spec.impute, in.groups));
  data = std::move(imputed.data);
  out.imputed = std::move(imputed.imputed);

  if (spec.screen_region_threshold > 0 || spec.screen_indicator_threshold > 0) {
    index::ScreenOptions options;
    options.region_threshold = spec.screen_region_threshold;
    options.indicator_threshold = spec.screen_indicator_threshold;
    ASSIGN_OR_RETURN(index::ScreenResult screened, index::Screen(data, options));
    data = std::move(screened.data);
    out.dropped_regions = std::move(screened.dropped_regions);
    out.dropped_indicators = std::move(screened.dropped_indicators);
    if (!out.dropped_indicators.empty()) {
      // A dropped indicator leaves its leaf without values; aggregation
      // renormalises over the remaining siblings.
      index::DataMatrix widened(data.regions(), f.LeafCodes());
      for (size_t c = 0; c < data.cols(); ++c) {
        int col = widened.IndicatorIndex(data.indicators()[c]);
        for (size_t r = 0; r < data.rows(); ++r) widened.Set(r, col, data.Get(r, c));
      }
      data = std::move(widened);
    }
  }
  if (data.rows() < 1) return absl::InvalidArgumentError("no region left to score");

  if (spec.treat_outliers) {
    // index::TreatOutliers column by column, in place and on the control's
    // threads: each column's treatment reads and writes that column only
    // (why: on 300 indicators it was the costliest serial step of the
    // uncertainty model's set-up). ParallelFor returns the first failing
    // column's error, as the serial loop would.
    out.outlier_reports.resize(data.cols());
    RETURN_IF_ERROR(ParallelFor(data.cols(), control, [&](size_t c) -> absl::Status {
      ASSIGN_OR_RETURN(index::ColumnTreatment t,
                       index::TreatOutlierColumn(data.Column(c), spec.outliers));
      absl::Span<double> column = data.MutableColumn(c);
      std::copy(t.values.begin(), t.values.end(), column.begin());
      t.report.indicator = data.indicators()[c];
      out.outlier_reports[c] = std::move(t.report);
      return absl::OkStatus();
    }));
  }
  out.treated = std::move(data);
  return out;
}

absl::StatusOr<index::DataMatrix> NormaliseLeaves(const index::Framework& f,
                                                  const index::DataMatrix& treated,
                                                  const PipelineSpec& spec,
                                                  const RunControl& control) {
  std::vector<index::NormaliseSpec> specs;
  for (int leaf : f.Leaves()) specs.push_back(LeafSpec(spec, f.Node(leaf)));
  if (specs.size() != treated.cols()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "got ", specs.size(), " normalisation specs for ", treated.cols(), " indicators"));
  }
  // index::Normalise column by column on the control's threads (the rank
  // normalisations sort every column); the first failing column's error.
  index::DataMatrix out = treated;
  RETURN_IF_ERROR(ParallelFor(treated.cols(), control, [&](size_t c) {
    return index::NormaliseColumnInto(treated, specs[c], c, out);
  }));
  return out;
}

absl::StatusOr<PipelineResult> PrepareLeaves(const PipelineInputs& in, const PipelineSpec& spec,
                                             const RunControl& control) {
  ASSIGN_OR_RETURN(PipelineResult out, TreatLeaves(in, spec, control));
  RETURN_IF_ERROR(CheckStop(control));
  ASSIGN_OR_RETURN(out.normalised, NormaliseLeaves(in.framework, out.treated, spec, control));
  return out;
}

absl::StatusOr<PipelineResult> RunPipeline(const PipelineInputs& in, const PipelineSpec& spec,
                                           const RunControl& control) {
  const index::Framework& f = in.framework;
  ASSIGN_OR_RETURN(PipelineResult out, PrepareLeaves(in, spec, control));
  RETURN_IF_ERROR(CheckStop(control));
  if (spec.weights.empty()) {
    ASSIGN_OR_RETURN(out.local_weights, index::FixedWeights(f));
  } else if (spec.weights.size() != f.Nodes().size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("weights: ", spec.weights.size(), " values for ", f.Nodes().size(), " nodes"));
  } else {
    out.local_weights = spec.weights;
  }
  ASSIGN_OR_RETURN(AggregationTree tree, AggregationTreeFromFramework(f, out.local_weights));
  ASSIGN_OR_RETURN(out.scores, Aggregate(tree, out.normalised, spec.aggregation));
  RETURN_IF_ERROR(CheckStop(control));

  // Node by node on the control's threads, each thread's ranker reusing
  // its buffers (why: ranking every node was a quarter of the pipeline);
  // the first failing node's error, as the serial loop would.
  out.ranks.assign(f.Nodes().size(), std::vector<int>(out.scores.rows(), kUnranked));
  RETURN_IF_ERROR(ParallelFor(f.Nodes().size(), control, [&](size_t node) {
    thread_local CompetitionRanker ranker;
    return ranker.Rank(out.scores.Column(node), spec.ranking, absl::MakeSpan(out.ranks[node]));
  }));
  return out;
}

}  // namespace innoscope::scoring

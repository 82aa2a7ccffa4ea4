#include "libs/synth/synthetic_data.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/graph/random.h"

namespace innoscope::synth {
namespace {

using graph::SplitMix64;

// Independent streams of one seed (graph::StreamSeed), one per model part,
// so that changing one part never shifts the draws of another.
enum Stream : uint64_t { kActorStream = 0, kRelationStream = 1, kObservationStream = 2 };

constexpr double kPi = 3.14159265358979323846;

// Province weights in percent of the sample enterprises, shaped like the
// published distribution of the 2,200 AI enterprises (Beijing, Guangdong,
// Shanghai, Zhejiang and Jiangsu hold about 85%; the rest a long tail
// ordered roughly like the published composite ranks). docs/demo.md.
const std::map<std::string, double, std::less<>>& ProvinceWeights() {
  static const auto* weights = new std::map<std::string, double, std::less<>>{
      {"CN-BJ", 28.0}, {"CN-GD", 26.5}, {"CN-SH", 14.2}, {"CN-ZJ", 9.0},  {"CN-JS", 6.9},
      {"CN-SC", 2.5},  {"CN-SD", 2.0},  {"CN-HB", 1.0},  {"CN-FJ", 1.0},  {"CN-CQ", 1.0},
      {"CN-AH", 0.9},  {"CN-HN", 0.8},  {"CN-TJ", 0.8},  {"CN-SN", 0.7},  {"CN-LN", 0.6},
      {"CN-HA", 0.5},  {"CN-HE", 0.5},  {"CN-JX", 0.3},  {"CN-GZ", 0.3},  {"CN-JL", 0.25},
      {"CN-HL", 0.25}, {"CN-GX", 0.2},  {"CN-SX", 0.2},  {"CN-YN", 0.2},  {"CN-XJ", 0.15},
      {"CN-HI", 0.15}, {"CN-NM", 0.1},  {"CN-GS", 0.1},  {"CN-QH", 0.05}, {"CN-NX", 0.05},
      {"CN-XZ", 0.05}};
  return *weights;
}
constexpr double kSmallestWeight = 0.05;

// How a non-network indicator is generated for province p in year y:
//   scale * size_p^elasticity * exp(sigma * z_p - sigma^2 / 2)
//         * growth^(y - last_year) * exp(kYearNoise * z_py)
// with size_p the province's weight relative to the mean province (1 = an
// average province), z_p a persistent province effect and z_py yearly
// noise, both standard normal; rounded to `decimals`. `scale` is the value
// of an average province in the last year.
struct Recipe {
  double scale;
  double elasticity;
  double growth;
  double sigma;
  int decimals;
};
constexpr double kYearNoise = 0.05;

// Scales of the count indicators: the published sample totals (438 AI
// universities, 307 institutions, 2,318 conferences, 967 alliances, 3,507
// parks, 775 policies) over 31 provinces. docs/demo.md explains the rest.
const std::map<std::string, Recipe, std::less<>>& Recipes() {
  static const auto* recipes = new std::map<std::string, Recipe, std::less<>>{
      {"average_enterprise_valuation_market_capitalisation", {45, 0.35, 1.10, 0.35, 2}},
      {"average_patents_per_enterprise", {38, 0.30, 1.12, 0.35, 2}},
      {"number_of_ai_universities", {14, 0.55, 1.15, 0.30, 0}},
      {"average_domestic_papers_ai_universities", {120, 0.40, 1.09, 0.30, 2}},
      {"average_international_papers_ai_universities", {60, 0.45, 1.13, 0.35, 2}},
      {"average_patents_ai_universities", {45, 0.40, 1.12, 0.35, 2}},
      {"number_of_non_university_research_institutions", {10, 0.70, 1.12, 0.30, 0}},
      {"average_domestic_papers_institutions", {90, 0.40, 1.08, 0.30, 2}},
      {"average_international_papers_institutions", {50, 0.45, 1.12, 0.35, 2}},
      {"average_patents_institutions", {35, 0.40, 1.11, 0.35, 2}},
      {"prior_international_study_experience", {25, 0.90, 1.14, 0.30, 0}},
      {"prior_international_work_experience", {30, 0.90, 1.14, 0.30, 0}},
      {"number_of_conferences", {75, 0.90, 1.18, 0.30, 0}},
      {"number_of_industry_alliances", {31, 0.80, 1.15, 0.30, 0}},
      {"number_of_industrial_parks", {113, 0.60, 1.25, 0.30, 0}},
      {"number_of_policies_issued", {25, 0.40, 1.20, 0.30, 0}},
  };
  return *recipes;
}
// Any other leaf (a framework the model does not know).
constexpr Recipe kDefaultRecipe = {100, 0.80, 1.12, 0.30, 2};

// Leaves counted from the generated sample enterprises (entered by the
// period) instead of drawn.
constexpr absl::string_view kEnterpriseCount = "number_of_ai_enterprises";
constexpr absl::string_view kCoreLayerCount =
    "number_of_foundation_layer_and_technology_layer_enterprises";

// Relation mix (shares of all relations), in kRelationTypes order.
constexpr double kTypeShares[] = {0.30, 0.22, 0.12, 0.10, 0.16, 0.10};

// The pools relation nodes are drawn from; each relation type takes its
// partner from one pool, so the same universities serve cooperation and
// human capital (and become hubs) while customers and investees are mostly
// new nodes.
enum Pool { kCustomers, kSuppliers, kAcademia, kInvestors, kInvestees, kPoolCount };

struct KindShare {
  ActorKind kind;
  double share;
};

struct PoolModel {
  double new_node;  // probability that a relation brings a new node
  double foreign;   // probability that a new node is foreign
  std::vector<KindShare> kinds;
};

const PoolModel& PoolOf(Pool pool) {
  static const auto* models = new std::vector<PoolModel>{
      // customers of technology empowerment
      {0.50,
       0.10,
       {{ActorKind::kEnterprise, 0.80}, {ActorKind::kGovernment, 0.10}, {ActorKind::kOther, 0.10}}},
      // suppliers of technology input
      {0.35,
       0.15,
       {{ActorKind::kEnterprise, 0.65},
        {ActorKind::kUniversity, 0.15},
        {ActorKind::kResearchInstitute, 0.12},
        {ActorKind::kOther, 0.08}}},
      // universities and institutes: cooperation, human capital
      {0.25, 0.05, {{ActorKind::kUniversity, 0.70}, {ActorKind::kResearchInstitute, 0.30}}},
      // investors: financing
      {0.30, 0.05, {{ActorKind::kInvestor, 1.0}}},
      // companies the sample enterprises invest in
      {0.85, 0.03, {{ActorKind::kEnterprise, 1.0}}},
  };
  return (*models)[pool];
}

// Of the relations in which a sample enterprise is the focal end: the
// share whose focal enterprise is a platform, and how often a focal or
// partner enterprise is drawn by degree (preferential attachment) rather
// than uniformly among the enterprises in the network.
constexpr double kPlatformFocal = 0.30;
constexpr double kPlatformByDegree = 0.85;
constexpr double kEnterpriseByDegree = 0.45;
// Partners that are sample enterprises: empowerment of another sample
// enterprise, technology input from a platform, cooperation between them.
constexpr double kEmpowerSample = 0.12;
constexpr double kInputFromPlatform = 0.20;
constexpr double kCooperateSample = 0.40;
// A new relation node is in the focal enterprise's province with this
// probability, else anywhere by province weight.
constexpr double kSameProvince = 0.55;
// Amounts in million yuan: log-normal medians and log standard deviations;
// platforms raise kPlatformFinancing times more per round.
constexpr double kFinancingMedian = 30, kFinancingSigma = 1.5, kPlatformFinancing = 4;
constexpr double kInvestmentMedian = 15, kInvestmentSigma = 1.4;
// Sample enterprises' entry into the network: the share entered by year
// t in [0, 1] of the span is min(1, a + (1 - a) (t / t_full)^b).
constexpr double kEntryShareAtStart = 0.20, kEntryFullAt = 0.75, kEntryExponent = 1.5;
// Layers of the sample enterprises (foundation, technology; the rest
// application); platforms are never application-only.
constexpr double kFoundationShare = 0.15, kTechnologyShare = 0.35;

// A standard normal draw (Box & Muller 1958), from two uniform draws.
double StandardNormal(SplitMix64& rng) {
  const double u1 = 1.0 - rng.UniformDouble();  // (0, 1]
  const double u2 = rng.UniformDouble();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * u2);
}

double RoundTo(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

// Index drawn with probabilities proportional to `weights` (non-empty,
// positive sum).
size_t DrawWeighted(const std::vector<double>& weights, double total, SplitMix64& rng) {
  double u = rng.UniformDouble() * total;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (u < weights[i]) return i;
    u -= weights[i];
  }
  return weights.size() - 1;
}

// Splits `total` into parts proportional to `weights` (largest remainder;
// ties to the earlier part).
std::vector<int64_t> Apportion(int64_t total, const std::vector<double>& weights) {
  double sum = 0;
  for (double w : weights) sum += w;
  std::vector<int64_t> parts(weights.size(), 0);
  std::vector<std::pair<double, size_t>> remainders;
  int64_t given = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    const double exact = static_cast<double>(total) * weights[i] / sum;
    parts[i] = static_cast<int64_t>(std::floor(exact));
    given += parts[i];
    remainders.push_back({exact - static_cast<double>(parts[i]), i});
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t k = 0; given < total; ++k, ++given) ++parts[remainders[k % remainders.size()].second];
  return parts;
}

absl::string_view KindWord(ActorKind kind) {
  switch (kind) {
    case ActorKind::kEnterprise:
      return "company";
    case ActorKind::kInvestor:
      return "investor";
    case ActorKind::kUniversity:
      return "university";
    case ActorKind::kResearchInstitute:
      return "research institute";
    case ActorKind::kGovernment:
      return "government office";
    case ActorKind::kOther:
      return "organisation";
  }
  return "actor";
}

char KindLetter(ActorKind kind) {
  switch (kind) {
    case ActorKind::kEnterprise:
      return 'C';
    case ActorKind::kInvestor:
      return 'V';
    case ActorKind::kUniversity:
      return 'U';
    case ActorKind::kResearchInstitute:
      return 'I';
    case ActorKind::kGovernment:
      return 'G';
    case ActorKind::kOther:
      return 'O';
  }
  return 'X';
}

absl::Status Validate(const std::vector<Province>& provinces,
                      const std::vector<std::string>& leaves, const SyntheticOptions& o) {
  if (provinces.empty()) {
    return absl::InvalidArgumentError("no provinces: the regions file needs rows of kind province");
  }
  if (leaves.empty()) {
    return absl::InvalidArgumentError("the framework has no leaf indicators");
  }
  std::set<std::string> seen;
  for (const Province& p : provinces) {
    if (!seen.insert(p.code).second) {
      return absl::InvalidArgumentError(absl::StrCat("province ", p.code, " is listed twice"));
    }
  }
  seen.clear();
  for (const std::string& leaf : leaves) {
    if (!seen.insert(leaf).second) {
      return absl::InvalidArgumentError(absl::StrCat("indicator ", leaf, " is listed twice"));
    }
  }
  if (o.enterprises < static_cast<int64_t>(provinces.size()) || o.enterprises > 1000000) {
    return absl::InvalidArgumentError(
        absl::StrCat("enterprises: ", o.enterprises, " must be at least the number of provinces (",
                     provinces.size(), ", one each) and at most 1,000,000"));
  }
  if (o.first_year > o.last_year || o.last_year - o.first_year > 100) {
    return absl::InvalidArgumentError(absl::StrCat("first_year ", o.first_year, ", last_year ",
                                                   o.last_year,
                                                   ": need first <= last within 100 years"));
  }
  if (!(o.relations_per_enterprise > 0) || o.relations_per_enterprise > 1000) {
    return absl::InvalidArgumentError(absl::StrCat(
        "relations_per_enterprise: ", o.relations_per_enterprise, " must be in (0, 1000]"));
  }
  if (!(o.platform_share > 0) || !(o.platform_share < 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("platform_share: ", o.platform_share, " must be in (0, 1)"));
  }
  if (!(o.annual_growth > 0) || o.annual_growth > 10) {
    return absl::InvalidArgumentError(
        absl::StrCat("annual_growth: ", o.annual_growth, " must be in (0, 10]"));
  }
  return absl::OkStatus();
}

class Generator {
 public:
  Generator(const std::vector<Province>& provinces, const SyntheticOptions& options)
      : provinces_(provinces), options_(options) {
    for (const Province& p : provinces) weights_.push_back(ProvinceWeight(p.code));
    for (double w : weights_) weight_total_ += w;
  }

  void Actors(SyntheticData* data) {
    SplitMix64 rng(graph::StreamSeed(options_.seed, kActorStream));
    const int64_t provinces = static_cast<int64_t>(provinces_.size());
    // One enterprise per province, the rest by weight.
    std::vector<int64_t> counts = Apportion(options_.enterprises - provinces, weights_);
    for (int64_t& c : counts) ++c;
    for (size_t p = 0; p < provinces_.size(); ++p) {
      for (int64_t k = 0; k < counts[p]; ++k) {
        Actor a;
        a.code = absl::StrFormat("SYN-E%05d", enterprises_.size() + 1);
        a.kind = ActorKind::kEnterprise;
        a.province = provinces_[p].code;
        a.sample = true;
        const double u = rng.UniformDouble();
        a.layer = u < kFoundationShare                      ? Layer::kFoundation
                  : u < kFoundationShare + kTechnologyShare ? Layer::kTechnology
                                                            : Layer::kApplication;
        a.first_year = EntryYear(rng.UniformDouble());
        enterprises_.push_back(static_cast<int32_t>(data->actors.size()));
        province_of_.push_back(static_cast<int32_t>(p));
        data->actors.push_back(std::move(a));
      }
    }
    // Platforms: weighted sampling without replacement (Efraimidis and
    // Spirakis 2006), each enterprise weighted by the square root of its
    // province's weight, so platforms concentrate in the large provinces
    // even more than enterprises do.
    const int64_t platforms = std::max<int64_t>(
        1, std::llround(options_.platform_share * static_cast<double>(options_.enterprises)));
    std::vector<std::pair<double, int32_t>> keys;
    for (size_t i = 0; i < enterprises_.size(); ++i) {
      const double w = std::sqrt(weights_[province_of_[i]]);
      keys.push_back({std::log(1.0 - rng.UniformDouble()) / w, static_cast<int32_t>(i)});
    }
    std::sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    for (int64_t k = 0; k < platforms && k < static_cast<int64_t>(keys.size()); ++k) {
      Actor& a = data->actors[enterprises_[keys[k].second]];
      a.platform = true;
      a.first_year = options_.first_year;
      if (a.layer == Layer::kApplication) a.layer = Layer::kTechnology;
      platforms_.push_back(enterprises_[keys[k].second]);
    }
    std::sort(platforms_.begin(), platforms_.end());
    for (size_t i = 0; i < enterprises_.size(); ++i) {
      Actor& a = data->actors[enterprises_[i]];
      a.name = absl::StrCat("Synthetic AI enterprise ", a.code.substr(5),
                            a.platform ? " (platform)" : "");
    }
  }

  void Relations(SyntheticData* data) {
    SplitMix64 rng(graph::StreamSeed(options_.seed, kRelationStream));
    const int32_t years = options_.last_year - options_.first_year + 1;
    std::vector<double> year_weights;
    for (int32_t k = 0; k < years; ++k) year_weights.push_back(std::pow(options_.annual_growth, k));
    const int64_t total =
        std::llround(options_.relations_per_enterprise * static_cast<double>(options_.enterprises));
    const std::vector<int64_t> per_year = Apportion(total, year_weights);
    double type_total = 0;
    for (double s : kTypeShares) type_total += s;
    const std::vector<double> type_shares(std::begin(kTypeShares), std::end(kTypeShares));

    // Sample enterprises in the network so far, by entry year.
    std::vector<int32_t> order(enterprises_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int32_t>(i);
    std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
      return data->actors[enterprises_[a]].first_year < data->actors[enterprises_[b]].first_year;
    });
    size_t entered = 0;
    for (int32_t k = 0; k < years; ++k) {
      const int32_t year = options_.first_year + k;
      while (entered < order.size() &&
             data->actors[enterprises_[order[entered]]].first_year <= year) {
        active_.push_back(enterprises_[order[entered]]);
        ++entered;
      }
      for (int64_t r = 0; r < per_year[k]; ++r) {
        const size_t type = DrawWeighted(type_shares, type_total, rng);
        AddRelation(data, static_cast<int>(type), year, rng);
      }
    }
  }

  void Observations(const std::vector<std::string>& generated, SyntheticData* data) {
    SplitMix64 rng(graph::StreamSeed(options_.seed, kObservationStream));
    const double mean_weight = weight_total_ / static_cast<double>(provinces_.size());
    // Enterprises per province and entry year, all and foundation/technology.
    std::vector<std::map<int32_t, int64_t>> entered(provinces_.size()), core(provinces_.size());
    for (size_t i = 0; i < enterprises_.size(); ++i) {
      const Actor& a = data->actors[enterprises_[i]];
      ++entered[province_of_[i]][a.first_year];
      if (a.layer == Layer::kFoundation || a.layer == Layer::kTechnology) {
        ++core[province_of_[i]][a.first_year];
      }
    }
    auto count_by = [](const std::map<int32_t, int64_t>& by_year, int32_t period) {
      int64_t n = 0;
      for (const auto& [year, c] : by_year) n += year <= period ? c : 0;
      return static_cast<double>(n);
    };
    for (size_t p = 0; p < provinces_.size(); ++p) {
      const double size = weights_[p] / mean_weight;
      // Persistent province effects, one per indicator.
      std::vector<double> effect;
      for (size_t i = 0; i < generated.size(); ++i) effect.push_back(StandardNormal(rng));
      for (int32_t period = options_.first_year; period <= options_.last_year; ++period) {
        for (size_t i = 0; i < generated.size(); ++i) {
          const std::string& code = generated[i];
          const double noise = StandardNormal(rng);
          double value;
          if (code == kEnterpriseCount) {
            value = count_by(entered[p], period);
          } else if (code == kCoreLayerCount) {
            value = count_by(core[p], period);
          } else {
            auto it = Recipes().find(code);
            const Recipe& r = it != Recipes().end() ? it->second : kDefaultRecipe;
            value = r.scale * std::pow(size, r.elasticity) *
                    std::exp(r.sigma * effect[i] - r.sigma * r.sigma / 2) *
                    std::pow(r.growth, period - options_.last_year) * std::exp(kYearNoise * noise);
            value = RoundTo(value, r.decimals);
          }
          data->observations.push_back({provinces_[p].code, code, period, value});
        }
      }
    }
  }

 private:
  int32_t EntryYear(double u) const {
    const int32_t span = options_.last_year - options_.first_year;
    for (int32_t k = 0; k <= span; ++k) {
      const double t = span == 0 ? 1.0 : static_cast<double>(k) / span;
      const double share =
          std::min(1.0, kEntryShareAtStart +
                            (1 - kEntryShareAtStart) * std::pow(t / kEntryFullAt, kEntryExponent));
      if (u < share) return options_.first_year + k;
    }
    return options_.last_year;
  }

  // A sample enterprise in the network: by degree (its share of the
  // enterprise relation ends) with probability `by_degree`, else uniformly.
  int32_t DrawEnterprise(SplitMix64& rng, double by_degree) {
    if (!enterprise_ends_.empty() && rng.UniformDouble() < by_degree) {
      return enterprise_ends_[rng.Uniform(enterprise_ends_.size())];
    }
    return active_[rng.Uniform(active_.size())];
  }

  int32_t DrawPlatform(SplitMix64& rng) {
    if (!platform_ends_.empty() && rng.UniformDouble() < kPlatformByDegree) {
      return platform_ends_[rng.Uniform(platform_ends_.size())];
    }
    return platforms_[rng.Uniform(platforms_.size())];
  }

  // A relation node of `pool`: a new one, or an existing one by degree.
  int32_t DrawNode(SyntheticData* data, Pool pool, int32_t focal, int32_t year, SplitMix64& rng) {
    const PoolModel& model = PoolOf(pool);
    std::vector<int32_t>& ends = pool_ends_[pool];
    if (!ends.empty() && rng.UniformDouble() >= model.new_node) {
      return ends[rng.Uniform(ends.size())];
    }
    Actor a;
    std::vector<double> shares;
    double total = 0;
    for (const KindShare& k : model.kinds) {
      shares.push_back(k.share);
      total += k.share;
    }
    a.kind = model.kinds[DrawWeighted(shares, total, rng)].kind;
    a.foreign = rng.UniformDouble() < model.foreign;
    if (!a.foreign) {
      a.province = rng.UniformDouble() < kSameProvince
                       ? data->actors[focal].province
                       : provinces_[DrawWeighted(weights_, weight_total_, rng)].code;
    }
    const std::string prefix =
        absl::StrCat(a.foreign ? "SYN-F" : "SYN-", std::string(1, KindLetter(a.kind)));
    const int number = ++node_numbers_[prefix];
    a.code = absl::StrFormat("%s%05d", prefix, number);
    a.name = absl::StrFormat("Synthetic %s%s %05d", a.foreign ? "foreign " : "",
                             std::string(KindWord(a.kind)), number);
    a.first_year = year;
    const int32_t index = static_cast<int32_t>(data->actors.size());
    node_pool_[index] = pool;
    data->actors.push_back(std::move(a));
    return index;
  }

  // Records one relation end for the preferential draws.
  void AddEnd(const SyntheticData& data, int32_t actor) {
    const Actor& a = data.actors[actor];
    if (a.sample) {
      enterprise_ends_.push_back(actor);
      if (a.platform) platform_ends_.push_back(actor);
    } else {
      pool_ends_[node_pool_.at(actor)].push_back(actor);
    }
  }

  double Amount(double median, double sigma, SplitMix64& rng) {
    return RoundTo(median * std::exp(sigma * StandardNormal(rng)), 2);
  }

  void AddRelation(SyntheticData* data, int type, int32_t year, SplitMix64& rng) {
    const bool platform_focal = rng.UniformDouble() < kPlatformFocal;
    const int32_t focal =
        platform_focal ? DrawPlatform(rng) : DrawEnterprise(rng, kEnterpriseByDegree);
    int32_t partner = -1;
    bool focal_is_source = true;
    std::optional<double> amount;
    // A sample-enterprise partner must differ from the focal enterprise;
    // with a single enterprise in the network, a relation node instead.
    auto other_enterprise = [&](auto draw) {
      for (int attempt = 0; attempt < 16; ++attempt) {
        const int32_t e = draw();
        if (e != focal) return e;
      }
      return int32_t{-1};
    };
    switch (type) {
      case 0:  // technology_empowerment: focal -> customer
        if (rng.UniformDouble() < kEmpowerSample) {
          partner = other_enterprise([&] { return active_[rng.Uniform(active_.size())]; });
        }
        if (partner < 0) partner = DrawNode(data, kCustomers, focal, year, rng);
        break;
      case 1:  // technology_input: supplier -> focal
        focal_is_source = false;
        if (rng.UniformDouble() < kInputFromPlatform) {
          partner = other_enterprise([&] { return DrawPlatform(rng); });
        }
        if (partner < 0) partner = DrawNode(data, kSuppliers, focal, year, rng);
        break;
      case 2:  // cooperation: focal -> partner
        if (rng.UniformDouble() < kCooperateSample) {
          partner = other_enterprise([&] { return DrawEnterprise(rng, kEnterpriseByDegree); });
        }
        if (partner < 0) partner = DrawNode(data, kAcademia, focal, year, rng);
        break;
      case 3:  // human_capital: university or institute -> focal
        focal_is_source = false;
        partner = DrawNode(data, kAcademia, focal, year, rng);
        break;
      case 4:  // financing: investor -> focal
        focal_is_source = false;
        partner = DrawNode(data, kInvestors, focal, year, rng);
        amount = Amount(kFinancingMedian, kFinancingSigma, rng) *
                 (data->actors[focal].platform ? kPlatformFinancing : 1.0);
        break;
      default:  // investment: focal -> investee
        partner = DrawNode(data, kInvestees, focal, year, rng);
        amount = Amount(kInvestmentMedian, kInvestmentSigma, rng);
        break;
    }
    Relation relation;
    relation.source = focal_is_source ? focal : partner;
    relation.target = focal_is_source ? partner : focal;
    relation.type = kRelationTypes[type];
    relation.year = year;
    relation.amount = amount;
    relation.international = data->actors[partner].foreign;
    const int repeat = ++repeats_[std::make_tuple(relation.source, relation.target, type, year)];
    if (repeat > 1) relation.qualifier = absl::StrCat("n", repeat);
    AddEnd(*data, focal);
    AddEnd(*data, partner);
    data->relations.push_back(std::move(relation));
  }

  const std::vector<Province>& provinces_;
  const SyntheticOptions& options_;
  std::vector<double> weights_;
  double weight_total_ = 0;
  std::vector<int32_t> enterprises_;  // actor indexes of the sample enterprises
  std::vector<int32_t> province_of_;  // per sample enterprise, index into provinces_
  std::vector<int32_t> platforms_;    // actor indexes
  std::vector<int32_t> active_;       // sample enterprises entered so far
  std::vector<int32_t> enterprise_ends_, platform_ends_;
  std::vector<int32_t> pool_ends_[kPoolCount];
  std::map<int32_t, Pool> node_pool_;
  std::map<std::string, int> node_numbers_;
  std::map<std::tuple<int32_t, int32_t, int, int32_t>, int> repeats_;
};

}  // namespace

absl::string_view ActorKindName(ActorKind kind) {
  switch (kind) {
    case ActorKind::kEnterprise:
      return "enterprise";
    case ActorKind::kInvestor:
      return "investor";
    case ActorKind::kUniversity:
      return "university";
    case ActorKind::kResearchInstitute:
      return "research_institute";
    case ActorKind::kGovernment:
      return "government";
    case ActorKind::kOther:
      return "other";
  }
  return "other";
}

absl::string_view LayerName(Layer layer) {
  switch (layer) {
    case Layer::kFoundation:
      return "foundation";
    case Layer::kTechnology:
      return "technology";
    case Layer::kApplication:
      return "application";
    case Layer::kNone:
      return "";
  }
  return "";
}

const std::vector<std::string>& DefaultDerivedIndicators() {
  static const auto* codes =
      new std::vector<std::string>{"number_of_technology_empowerment_relations",
                                   "number_of_financing_relations",
                                   "financing_amount",
                                   "number_of_investment_relations",
                                   "number_of_international_technology_input_relations",
                                   "number_of_international_technology_empowerment_relations"};
  return *codes;
}

double ProvinceWeight(absl::string_view code) {
  auto it = ProvinceWeights().find(code);
  return it != ProvinceWeights().end() ? it->second : kSmallestWeight;
}

absl::StatusOr<SyntheticData> GenerateSyntheticData(const std::vector<Province>& provinces,
                                                    const std::vector<std::string>& leaves,
                                                    const SyntheticOptions& options) {
  if (absl::Status s = Validate(provinces, leaves, options); !s.ok()) return s;
  SyntheticData data;
  const std::set<std::string> derived(options.derived_indicators.begin(),
                                      options.derived_indicators.end());
  for (const std::string& leaf : leaves) {
    (derived.count(leaf) > 0 ? data.derived_indicators : data.generated_indicators).push_back(leaf);
  }
  Generator generator(provinces, options);
  generator.Actors(&data);
  generator.Relations(&data);
  generator.Observations(data.generated_indicators, &data);
  return data;
}

}  // namespace innoscope::synth

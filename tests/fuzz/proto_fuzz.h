#pragma once

// Structure-aware fuzzing of request protos (tests/fuzz/*_proto_fuzz.cc).
// libprotobuf-mutator is not packaged in Debian bookworm, so this is a small
// mutator of our own over protobuf reflection: an input is a request in
// protobuf text format (readable seeds and crash reproducers), and each
// mutation parses it, changes one thing - a field set to an edge value (0,
// -1, extremes, NaN, infinities, an enum number no build knows), a string
// replaced by another string of the same message (so parents, endpoints and
// codes meet each other), mutated by libFuzzer or cleared, a repeated
// element added, copied, removed or swapped - and prints it back. Without
// libFuzzer (INNOSCOPE_LIBFUZZER undefined: the *_replay unit tests of the
// normal build, standalone_main.cc) only the entry point is compiled, and an
// input that is not a text-format request is a failure, so a corpus file
// that no longer parses cannot pass unnoticed.
//
//   INNOSCOPE_PROTO_FUZZER(v1::CreateFrameworkRequest, request) {
//     absl::Status status = ValidateFramework(request, catalog);
//     FUZZ_CHECK(status.ok() || status.code() == absl::StatusCode::kInvalidArgument);
//   }

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/message.h"
#include "google/protobuf/text_format.h"
#include "tests/fuzz/fuzz_util.h"

namespace innoscope::fuzz {

// Parses `size` bytes of protobuf text format into `message`, quietly.
inline bool ParseTextProto(const uint8_t* data, size_t size, google::protobuf::Message* message) {
  class Quiet : public google::protobuf::io::ErrorCollector {
   public:
    void AddError(int, google::protobuf::io::ColumnNumber, const std::string&) override {}
  } quiet;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&quiet);
  return parser.ParseFromString(std::string(reinterpret_cast<const char*>(data), size), message);
}

}  // namespace innoscope::fuzz

#ifdef INNOSCOPE_LIBFUZZER
extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace innoscope::fuzz {

// One random structural change to a message tree per Mutate().
class ProtoMutator {
 public:
  explicit ProtoMutator(unsigned seed) : rng_(seed) {}

  void Mutate(google::protobuf::Message* root) {
    strings_.clear();
    CollectStrings(*root);
    MutateOneField(PickMessage(root, 0));
  }

 private:
  using FieldDescriptor = google::protobuf::FieldDescriptor;
  using Message = google::protobuf::Message;
  using Reflection = google::protobuf::Reflection;

  // Bounds that keep an input small enough for thousands of runs a second.
  static constexpr int kMaxRepeated = 48;
  static constexpr size_t kMaxString = 96;
  static constexpr int kMaxDepth = 8;

  size_t Uniform(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  void CollectStrings(const Message& m) {
    const Reflection* r = m.GetReflection();
    std::vector<const FieldDescriptor*> fields;
    r->ListFields(m, &fields);
    for (const FieldDescriptor* f : fields) {
      const int n = f->is_repeated() ? r->FieldSize(m, f) : 1;
      for (int i = 0; i < n && strings_.size() < 64; ++i) {
        if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
          strings_.push_back(f->is_repeated() ? r->GetRepeatedString(m, f, i) : r->GetString(m, f));
        } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
          CollectStrings(f->is_repeated() ? r->GetRepeatedMessage(m, f, i) : r->GetMessage(m, f));
        }
      }
    }
  }

  // A message of the tree: the root, or a present sub-message, by random descent.
  Message* PickMessage(Message* m, int depth) {
    const Reflection* r = m->GetReflection();
    std::vector<const FieldDescriptor*> fields;
    r->ListFields(*m, &fields);
    std::vector<Message*> children;
    for (const FieldDescriptor* f : fields) {
      if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
      if (!f->is_repeated()) {
        children.push_back(r->MutableMessage(m, f));
        continue;
      }
      for (int i = 0; i < r->FieldSize(*m, f); ++i) {
        children.push_back(r->MutableRepeatedMessage(m, f, i));
      }
    }
    if (children.empty() || depth >= kMaxDepth || Uniform(3) == 0) return m;
    return PickMessage(children[Uniform(children.size())], depth + 1);
  }

  void MutateOneField(Message* m) {
    const google::protobuf::Descriptor* d = m->GetDescriptor();
    if (d->field_count() == 0) return;
    const FieldDescriptor* f = d->field(static_cast<int>(Uniform(d->field_count())));
    const Reflection* r = m->GetReflection();
    if (!f->is_repeated()) {
      if (f->has_presence() && r->HasField(*m, f) && Uniform(4) == 0) {
        r->ClearField(m, f);
      } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        MutateOneField(r->MutableMessage(m, f));
      } else {
        SetValue(m, f, -1);
      }
      return;
    }
    const int n = r->FieldSize(*m, f);
    const size_t op = n == 0 ? 0 : Uniform(5);
    if (op == 0 || op == 1) {  // add a new element, or a copy of one
      if (n >= kMaxRepeated) return;
      AddElement(m, f);
      if (op == 1 && n > 0) {
        r->SwapElements(m, f, n, static_cast<int>(Uniform(n)));
        return;
      }
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        MutateOneField(r->MutableRepeatedMessage(m, f, n));
      } else {
        SetValue(m, f, n);
      }
    } else if (op == 2) {  // remove one
      r->SwapElements(m, f, static_cast<int>(Uniform(n)), n - 1);
      r->RemoveLast(m, f);
    } else if (op == 3) {  // swap two
      r->SwapElements(m, f, static_cast<int>(Uniform(n)), static_cast<int>(Uniform(n)));
    } else {  // change one
      const int i = static_cast<int>(Uniform(n));
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        MutateOneField(r->MutableRepeatedMessage(m, f, i));
      } else {
        SetValue(m, f, i);
      }
    }
  }

  // Appends a copy of an existing element (or a default one); the caller
  // moves or changes it.
  void AddElement(Message* m, const FieldDescriptor* f) {
    const Reflection* r = m->GetReflection();
    const int n = r->FieldSize(*m, f);
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        Message* added = r->AddMessage(m, f);
        if (n > 0) added->CopyFrom(r->GetRepeatedMessage(*m, f, static_cast<int>(Uniform(n))));
        return;
      }
      case FieldDescriptor::CPPTYPE_STRING:
        r->AddString(m, f, n > 0 ? r->GetRepeatedString(*m, f, 0) : "");
        return;
      case FieldDescriptor::CPPTYPE_INT32:
        r->AddInt32(m, f, 0);
        return;
      case FieldDescriptor::CPPTYPE_INT64:
        r->AddInt64(m, f, 0);
        return;
      case FieldDescriptor::CPPTYPE_UINT32:
        r->AddUInt32(m, f, 0);
        return;
      case FieldDescriptor::CPPTYPE_UINT64:
        r->AddUInt64(m, f, 0);
        return;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        r->AddDouble(m, f, 0);
        return;
      case FieldDescriptor::CPPTYPE_FLOAT:
        r->AddFloat(m, f, 0);
        return;
      case FieldDescriptor::CPPTYPE_BOOL:
        r->AddBool(m, f, false);
        return;
      case FieldDescriptor::CPPTYPE_ENUM:
        r->AddEnumValue(m, f, 0);
        return;
    }
  }

  int64_t Integer(int64_t old) {
    static constexpr int64_t kEdges[] = {0,
                                         1,
                                         -1,
                                         2,
                                         1899,
                                         1900,
                                         2100,
                                         2101,
                                         65536,
                                         std::numeric_limits<int32_t>::max(),
                                         std::numeric_limits<int32_t>::min()};
    switch (Uniform(4)) {
      case 0:
        return kEdges[Uniform(sizeof(kEdges) / sizeof(kEdges[0]))];
      case 1:
        return old + 1;
      case 2:
        return old - 1;
      default:
        return static_cast<int64_t>(Uniform(4096)) - 64;
    }
  }

  double Real(double old) {
    static constexpr double kEdges[] = {0.0,
                                        -0.0,
                                        1.0,
                                        -1.0,
                                        0.5,
                                        1e-300,
                                        1e300,
                                        std::numeric_limits<double>::max(),
                                        std::numeric_limits<double>::denorm_min(),
                                        std::numeric_limits<double>::infinity(),
                                        -std::numeric_limits<double>::infinity(),
                                        std::numeric_limits<double>::quiet_NaN()};
    switch (Uniform(3)) {
      case 0:
        return kEdges[Uniform(sizeof(kEdges) / sizeof(kEdges[0]))];
      case 1:
        return old * (Uniform(2) == 0 ? 2.0 : -0.5);
      default:
        return std::uniform_real_distribution<double>(-100.0, 100.0)(rng_);
    }
  }

  std::string Text(std::string old) {
    switch (Uniform(4)) {
      case 0:
        if (!strings_.empty()) return strings_[Uniform(strings_.size())];
        return old;
      case 1:
        return Uniform(2) == 0 ? std::string() : std::string(Uniform(300), 'a');
      default: {
        const size_t size = std::min(old.size(), kMaxString);
        old.resize(kMaxString);
        old.resize(LLVMFuzzerMutate(reinterpret_cast<uint8_t*>(old.data()), size, kMaxString));
        return old;
      }
    }
  }

  // Sets field `f` of `m` (element `index` of a repeated field, -1 for a
  // singular one) to a new value derived from the old.
  void SetValue(Message* m, const FieldDescriptor* f, int index) {
    const Reflection* r = m->GetReflection();
#define INNOSCOPE_FUZZ_GET(Type) \
  (index < 0 ? r->Get##Type(*m, f) : r->GetRepeated##Type(*m, f, index))
#define INNOSCOPE_FUZZ_SET(Type, value) \
  (index < 0 ? r->Set##Type(m, f, value) : r->SetRepeated##Type(m, f, index, value))
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        INNOSCOPE_FUZZ_SET(Int32, static_cast<int32_t>(Integer(INNOSCOPE_FUZZ_GET(Int32))));
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        INNOSCOPE_FUZZ_SET(Int64, Integer(INNOSCOPE_FUZZ_GET(Int64)));
        break;
      case FieldDescriptor::CPPTYPE_UINT32:
        INNOSCOPE_FUZZ_SET(UInt32, static_cast<uint32_t>(Integer(INNOSCOPE_FUZZ_GET(UInt32))));
        break;
      case FieldDescriptor::CPPTYPE_UINT64:
        INNOSCOPE_FUZZ_SET(UInt64, static_cast<uint64_t>(
                                       Integer(static_cast<int64_t>(INNOSCOPE_FUZZ_GET(UInt64)))));
        break;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        INNOSCOPE_FUZZ_SET(Double, Real(INNOSCOPE_FUZZ_GET(Double)));
        break;
      case FieldDescriptor::CPPTYPE_FLOAT:
        INNOSCOPE_FUZZ_SET(Float, static_cast<float>(Real(INNOSCOPE_FUZZ_GET(Float))));
        break;
      case FieldDescriptor::CPPTYPE_BOOL:
        INNOSCOPE_FUZZ_SET(Bool, !INNOSCOPE_FUZZ_GET(Bool));
        break;
      case FieldDescriptor::CPPTYPE_ENUM: {
        // A declared value, or a number no build knows (open proto3 enums).
        const google::protobuf::EnumDescriptor* e = f->enum_type();
        const int value = Uniform(4) == 0
                              ? static_cast<int>(Uniform(64)) - 8
                              : e->value(static_cast<int>(Uniform(e->value_count())))->number();
        INNOSCOPE_FUZZ_SET(EnumValue, value);
        break;
      }
      case FieldDescriptor::CPPTYPE_STRING:
        INNOSCOPE_FUZZ_SET(String, Text(INNOSCOPE_FUZZ_GET(String)));
        break;
      case FieldDescriptor::CPPTYPE_MESSAGE:
        break;  // messages are descended into, never set
    }
#undef INNOSCOPE_FUZZ_GET
#undef INNOSCOPE_FUZZ_SET
  }

  std::minstd_rand rng_;
  std::vector<std::string> strings_;
};

// libFuzzer's custom mutator for text-format messages of type M: 1-3
// structural mutations; bytes that are no such message start from an empty
// one.
template <typename M>
size_t MutateTextProto(uint8_t* data, size_t size, size_t max_size, unsigned seed) {
  M message;
  if (!ParseTextProto(data, size, &message)) message.Clear();
  ProtoMutator mutator(seed);
  const unsigned rounds = 1 + seed % 3;
  for (unsigned i = 0; i < rounds; ++i) mutator.Mutate(&message);
  std::string text;
  google::protobuf::TextFormat::PrintToString(message, &text);
  if (text.size() > max_size) return size;  // too large: keep the input
  std::memcpy(data, text.data(), text.size());
  return text.size();
}

}  // namespace innoscope::fuzz

#define INNOSCOPE_PROTO_FUZZ_MUTATOR(Type)                                               \
  extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size, \
                                            unsigned int seed) {                         \
    return ::innoscope::fuzz::MutateTextProto<Type>(data, size, max_size, seed);         \
  }
#define INNOSCOPE_PROTO_FUZZ_PARSED(parsed) \
  if (!(parsed)) return 0
#else
#define INNOSCOPE_PROTO_FUZZ_MUTATOR(Type)
#define INNOSCOPE_PROTO_FUZZ_PARSED(parsed) FUZZ_CHECK(parsed)
#endif  // INNOSCOPE_LIBFUZZER

// Defines the fuzz target for requests of type `Type`; the body that follows
// gets the parsed request as `const Type& request`.
#define INNOSCOPE_PROTO_FUZZER(Type, request)                                            \
  static void InnoscopeProtoFuzzOne(const Type& request);                                \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {              \
    Type parsed;                                                                         \
    INNOSCOPE_PROTO_FUZZ_PARSED(::innoscope::fuzz::ParseTextProto(data, size, &parsed)); \
    InnoscopeProtoFuzzOne(parsed);                                                       \
    return 0;                                                                            \
  }                                                                                      \
  INNOSCOPE_PROTO_FUZZ_MUTATOR(Type)                                                     \
  static void InnoscopeProtoFuzzOne(const Type& request)

#include "libs/server/audit.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "google/protobuf/descriptor.h"
#include "libs/common/log.h"
#include "libs/server/caller_identity.h"
#include "libs/server/metrics.h"

namespace innoscope::server {
namespace {

using google::protobuf::FieldDescriptor;
using grpc::experimental::InterceptionHookPoints;

constexpr int kMaxDepth = 4;
constexpr int kMaxRepeated = 64;  // elements of a repeated message field visited
constexpr size_t kMaxResources = 50;

// The resource prefix of a string field, or "" when it names none.
std::string Prefix(const google::protobuf::Descriptor& owner, const FieldDescriptor& field) {
  const std::string& name = field.name();
  if (name == "batch_id") return "batch";
  if (name == "run_id" || name == "run_ids" || name == "base_run_id") return "run";
  if (name == "weight_set_id") return "weight_set";
  if (name == "relation_set") return "relation_set";
  if (name == "id" && owner.name() == "Run") return "run";
  if (name == "id" && owner.name() == "WeightSet") return "weight_set";
  if (name == "code" && owner.name() == "CreateFrameworkRequest") return "framework";
  return "";
}

void Walk(const google::protobuf::Message& message, int depth, std::set<std::string>* out) {
  if (depth > kMaxDepth || out->size() >= kMaxResources) return;
  const google::protobuf::Descriptor& descriptor = *message.GetDescriptor();
  const google::protobuf::Reflection& reflection = *message.GetReflection();
  if (descriptor.full_name() == "innoscope.common.v1.FrameworkRef") {
    const std::string code = reflection.GetString(message, descriptor.FindFieldByName("code"));
    const int32_t version = reflection.GetInt32(message, descriptor.FindFieldByName("version"));
    if (!code.empty()) {
      out->insert(version > 0 ? absl::StrCat("framework:", code, "@", version)
                              : absl::StrCat("framework:", code));
    }
    return;
  }
  std::vector<const FieldDescriptor*> fields;
  reflection.ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      std::string prefix = Prefix(descriptor, *field);
      if (prefix.empty()) continue;
      if (field->is_repeated()) {
        int n = std::min(reflection.FieldSize(message, field), kMaxRepeated);
        for (int i = 0; i < n; ++i) {
          out->insert(absl::StrCat(prefix, ":", reflection.GetRepeatedString(message, field, i)));
        }
      } else {
        std::string value = reflection.GetString(message, field);
        if (!value.empty()) out->insert(absl::StrCat(prefix, ":", value));
      }
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (field->is_repeated()) {
        int n = std::min(reflection.FieldSize(message, field), kMaxRepeated);
        for (int i = 0; i < n; ++i) {
          Walk(reflection.GetRepeatedMessage(message, field, i), depth + 1, out);
        }
      } else {
        Walk(reflection.GetMessage(message, field), depth + 1, out);
      }
    }
  }
}

// Audits one call of a write method: collects the resources of every
// message received and sent, and logs one line when the status is sent (or,
// when the call ends without one, as cancelled).
class AuditInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit AuditInterceptor(grpc::experimental::ServerRpcInfo* info)
      : info_(info), start_(absl::Now()) {
    auto [service, method] = SplitFullMethod(info->method());
    method_ = service + "/" + method;
  }

  ~AuditInterceptor() override {
    if (!written_) Write(static_cast<int>(grpc::StatusCode::CANCELLED));
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      identity_ = CallerIdentity(*info_->server_context());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
      // Every request type is a protobuf message (single inheritance, so the
      // pointer is also the Message's).
      const void* received = methods->GetRecvMessage();
      if (received != nullptr) {
        AuditResources(*static_cast<const google::protobuf::Message*>(received), &resources_);
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE)) {
      const void* sent = methods->GetSendMessage();
      if (sent != nullptr) {
        AuditResources(*static_cast<const google::protobuf::Message*>(sent), &resources_);
      }
    }
    if (!written_ && methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      Write(static_cast<int>(methods->GetSendStatus().error_code()));
    }
    methods->Proceed();
  }

 private:
  void Write(int code) {
    written_ = true;
    log::Info("audit", {{"audit", true},
                        {"identity", identity_.empty() ? kAnonymousIdentity : identity_},
                        {"method", method_},
                        {"resources", absl::StrJoin(resources_, ",")},
                        {"code", GrpcCodeName(code)},
                        {"duration_ms", absl::ToDoubleMilliseconds(absl::Now() - start_)}});
  }

  grpc::experimental::ServerRpcInfo* info_;
  absl::Time start_;
  std::string method_;
  std::string identity_;
  std::set<std::string> resources_;
  bool written_ = false;
};

}  // namespace

void AuditResources(const google::protobuf::Message& message, std::set<std::string>* resources) {
  Walk(message, 0, resources);
}

grpc::experimental::Interceptor* AuditInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  Role role = roles_.Required(info->method());
  // No interceptor (nullptr) for calls that write nothing.
  return role >= auth::v1::ROLE_WRITER ? new AuditInterceptor(info) : nullptr;
}

}  // namespace innoscope::server

#include "sim/record/hdf5_types.h"

#include <cstddef>

namespace spotsim::schema {

using H5::PredType;

H5::StrType string_type() {
  H5::StrType t(PredType::C_S1, H5T_VARIABLE);
  t.setCset(H5T_CSET_UTF8);
  return t;
}

H5::EnumType uint8_enum_type(const std::vector<std::string>& names) {
  H5::EnumType t(H5::IntType(PredType::NATIVE_UINT8));
  for (size_t i = 0; i < names.size(); ++i) {
    uint8_t v = static_cast<uint8_t>(i);
    t.insert(names[i], &v);
  }
  return t;
}

std::vector<std::string> purchase_names() { return {std::begin(kPurchaseNames), std::end(kPurchaseNames)}; }

H5::CompType event_record_type(const H5::EnumType& kind) {
  H5::CompType t(sizeof(EventRecord));
  t.insertMember("time", HOFFSET(EventRecord, time), PredType::NATIVE_DOUBLE);
  t.insertMember("replication", HOFFSET(EventRecord, replication), PredType::NATIVE_UINT32);
  t.insertMember("kind", HOFFSET(EventRecord, kind), kind);
  t.insertMember("vm", HOFFSET(EventRecord, vm), PredType::NATIVE_UINT32);
  t.insertMember("pool", HOFFSET(EventRecord, pool), PredType::NATIVE_UINT16);
  t.insertMember("fleet", HOFFSET(EventRecord, fleet), PredType::NATIVE_UINT16);
  t.insertMember("detail", HOFFSET(EventRecord, detail), PredType::NATIVE_DOUBLE);
  return t;
}

H5::CompType vm_record_type() {
  H5::CompType t(sizeof(VmRecord));
  t.insertMember("replication", HOFFSET(VmRecord, replication), PredType::NATIVE_UINT32);
  t.insertMember("vm", HOFFSET(VmRecord, vm), PredType::NATIVE_UINT32);
  t.insertMember("fleet", HOFFSET(VmRecord, fleet), PredType::NATIVE_UINT16);
  t.insertMember("pool", HOFFSET(VmRecord, pool), PredType::NATIVE_UINT16);
  t.insertMember("purchase", HOFFSET(VmRecord, purchase), uint8_enum_type(purchase_names()));
  t.insertMember("evicted", HOFFSET(VmRecord, evicted), PredType::NATIVE_UINT8);
  t.insertMember("launch", HOFFSET(VmRecord, launch), PredType::NATIVE_DOUBLE);
  t.insertMember("running", HOFFSET(VmRecord, running), PredType::NATIVE_DOUBLE);
  t.insertMember("notice", HOFFSET(VmRecord, notice), PredType::NATIVE_DOUBLE);
  t.insertMember("end", HOFFSET(VmRecord, end), PredType::NATIVE_DOUBLE);
  return t;
}

H5::CompType job_record_type() {
  H5::CompType t(sizeof(JobRecord));
  t.insertMember("replication", HOFFSET(JobRecord, replication), PredType::NATIVE_UINT32);
  t.insertMember("job", HOFFSET(JobRecord, job), PredType::NATIVE_UINT32);
  t.insertMember("workload", HOFFSET(JobRecord, workload), PredType::NATIVE_UINT16);
  t.insertMember("fleet", HOFFSET(JobRecord, fleet), PredType::NATIVE_UINT16);
  t.insertMember("checkpoints", HOFFSET(JobRecord, checkpoints), PredType::NATIVE_UINT32);
  t.insertMember("evictions", HOFFSET(JobRecord, evictions), PredType::NATIVE_UINT32);
  t.insertMember("vm", HOFFSET(JobRecord, vm), PredType::NATIVE_UINT32);
  t.insertMember("submit", HOFFSET(JobRecord, submit), PredType::NATIVE_DOUBLE);
  t.insertMember("start", HOFFSET(JobRecord, start), PredType::NATIVE_DOUBLE);
  t.insertMember("last_start", HOFFSET(JobRecord, last_start), PredType::NATIVE_DOUBLE);
  t.insertMember("finish", HOFFSET(JobRecord, finish), PredType::NATIVE_DOUBLE);
  t.insertMember("lost_work", HOFFSET(JobRecord, lost_work), PredType::NATIVE_DOUBLE);
  return t;
}

H5::CompType job_run_record_type() {
  H5::CompType t(sizeof(JobRunRecord));
  t.insertMember("replication", HOFFSET(JobRunRecord, replication), PredType::NATIVE_UINT32);
  t.insertMember("job", HOFFSET(JobRunRecord, job), PredType::NATIVE_UINT32);
  t.insertMember("workload", HOFFSET(JobRunRecord, workload), PredType::NATIVE_UINT16);
  t.insertMember("fleet", HOFFSET(JobRunRecord, fleet), PredType::NATIVE_UINT16);
  t.insertMember("vm", HOFFSET(JobRunRecord, vm), PredType::NATIVE_UINT32);
  t.insertMember("outcome", HOFFSET(JobRunRecord, outcome),
                 uint8_enum_type({std::begin(kJobRunOutcomeNames), std::end(kJobRunOutcomeNames)}));
  t.insertMember("start", HOFFSET(JobRunRecord, start), PredType::NATIVE_DOUBLE);
  t.insertMember("end", HOFFSET(JobRunRecord, end), PredType::NATIVE_DOUBLE);
  return t;
}

H5::CompType chaos_interval_record_type() {
  H5::CompType t(sizeof(ChaosIntervalRecord));
  t.insertMember("replication", HOFFSET(ChaosIntervalRecord, replication), PredType::NATIVE_UINT32);
  t.insertMember("chaos", HOFFSET(ChaosIntervalRecord, chaos), PredType::NATIVE_UINT32);
  t.insertMember("pool", HOFFSET(ChaosIntervalRecord, pool), PredType::NATIVE_UINT16);
  t.insertMember("start", HOFFSET(ChaosIntervalRecord, start), PredType::NATIVE_DOUBLE);
  t.insertMember("end", HOFFSET(ChaosIntervalRecord, end), PredType::NATIVE_DOUBLE);
  return t;
}

H5::CompType metric_summary_record_type() {
  H5::CompType t(sizeof(MetricSummaryRecord));
  t.insertMember("name", HOFFSET(MetricSummaryRecord, name), string_type());
  t.insertMember("unit", HOFFSET(MetricSummaryRecord, unit), string_type());
  t.insertMember("mean", HOFFSET(MetricSummaryRecord, mean), PredType::NATIVE_DOUBLE);
  t.insertMember("stddev", HOFFSET(MetricSummaryRecord, stddev), PredType::NATIVE_DOUBLE);
  t.insertMember("min", HOFFSET(MetricSummaryRecord, min), PredType::NATIVE_DOUBLE);
  t.insertMember("p50", HOFFSET(MetricSummaryRecord, p50), PredType::NATIVE_DOUBLE);
  t.insertMember("p95", HOFFSET(MetricSummaryRecord, p95), PredType::NATIVE_DOUBLE);
  t.insertMember("p99", HOFFSET(MetricSummaryRecord, p99), PredType::NATIVE_DOUBLE);
  t.insertMember("max", HOFFSET(MetricSummaryRecord, max), PredType::NATIVE_DOUBLE);
  t.insertMember("n", HOFFSET(MetricSummaryRecord, n), PredType::NATIVE_UINT64);
  return t;
}

H5::CompType expectation_record_type() {
  H5::CompType t(sizeof(ExpectationRecord));
  t.insertMember("text", HOFFSET(ExpectationRecord, text), string_type());
  t.insertMember("passed", HOFFSET(ExpectationRecord, passed), PredType::NATIVE_UINT8);
  t.insertMember("observed", HOFFSET(ExpectationRecord, observed), PredType::NATIVE_DOUBLE);
  t.insertMember("explanation", HOFFSET(ExpectationRecord, explanation), string_type());
  return t;
}

H5::CompType pareto_record_type() {
  H5::CompType t(sizeof(ParetoRecord));
  t.insertMember("point", HOFFSET(ParetoRecord, point), PredType::NATIVE_UINT32);
  t.insertMember("a", HOFFSET(ParetoRecord, a), PredType::NATIVE_DOUBLE);
  t.insertMember("b", HOFFSET(ParetoRecord, b), PredType::NATIVE_DOUBLE);
  return t;
}

}  // namespace spotsim::schema

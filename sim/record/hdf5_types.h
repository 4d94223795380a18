#pragma once
// HDF5 in-memory types of the records in sim/record/schema.h (compound and enum builders), used by
// the writer, the reader and spotviz. Include this (not H5Cpp.h directly) to read spotsim files.
//
// HDF5 1.10 (serial) is not thread-safe: call these and every other HDF5 function from one thread.
#include <string>
#include <vector>

#include <H5Cpp.h>

#include "sim/record/schema.h"

namespace spotsim::schema {

// Variable-length UTF-8 string.
H5::StrType string_type();
// enum over uint8: value i is names[i] (e.g. the event kinds, the purchase types).
H5::EnumType uint8_enum_type(const std::vector<std::string>& names);
// Names of the purchase enum (kPurchaseNames).
std::vector<std::string> purchase_names();

// Compound types. `kind` is the enum used for EventRecord::kind; when reading, pass the member
// type found in the file (see hdf5_reader.h) so enum conversion never has to happen.
H5::CompType event_record_type(const H5::EnumType& kind);
H5::CompType vm_record_type();
H5::CompType job_record_type();
H5::CompType job_run_record_type();
H5::CompType chaos_interval_record_type();
H5::CompType metric_summary_record_type();
H5::CompType expectation_record_type();
H5::CompType pareto_record_type();

}  // namespace spotsim::schema

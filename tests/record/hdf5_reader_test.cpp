// open_run_file(): refuses what it cannot read, with the documented messages.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <string>

#include "sim/record/hdf5_reader.h"
#include "sim/record/hdf5_types.h"

using namespace spotsim;

namespace {

std::string tmp_file(const std::string& name) { return std::string(SPOTSIM_BINARY_DIR) + "/" + name; }

void write_versioned(const std::string& path, int32_t version) {
  H5::H5File f(path, H5F_ACC_TRUNC);
  H5::Group root = f.openGroup("/");
  H5::Attribute a = root.createAttribute(schema::kAttrSchemaVersion, H5::PredType::STD_I32LE, H5::DataSpace());
  a.write(H5::PredType::NATIVE_INT32, &version);
  H5::StrType st = schema::string_type();
  H5::Attribute k = root.createAttribute(schema::kAttrFileKind, st, H5::DataSpace());
  k.write(st, std::string(schema::kFileKindRun));
}

}  // namespace

TEST_CASE("open_run_file rejects a file from another schema version", "[record]") {
  const std::string path = tmp_file("record_test_v2.h5");
  write_versioned(path, 2);
  auto f = open_run_file(path);
  REQUIRE_FALSE(f);
  CHECK(f.status().code() == StatusCode::kInvalidInput);
  CHECK(f.status().message() == path +
                                    ": error: schema version 2 is not supported by this spotsim (reads 1); "
                                    "re-run the scenario with this version");
  std::remove(path.c_str());
}

TEST_CASE("open_run_file accepts the current version and reads the file kind", "[record]") {
  const std::string path = tmp_file("record_test_v1.h5");
  write_versioned(path, schema::kSchemaVersion);
  auto f = open_run_file(path);
  REQUIRE(f);
  CHECK(f->schema_version == 1);
  CHECK(f->kind == "run");
  CHECK(has_path(*f, "/"));
  CHECK_FALSE(has_path(*f, "/meta/pools"));
  auto missing = read_string_table(*f, "/meta/pools");
  CHECK_FALSE(missing);
  std::remove(path.c_str());
}

TEST_CASE("open_run_file rejects files that are not spotsim HDF5 files", "[record]") {
  const std::string text = tmp_file("record_test_not_h5.h5");
  { std::ofstream(text) << "not hdf5\n"; }
  auto a = open_run_file(text);
  REQUIRE_FALSE(a);
  CHECK(a.status().message() == text + ": error: cannot open: not an HDF5 file or unreadable");
  std::remove(text.c_str());

  auto b = open_run_file(tmp_file("record_test_does_not_exist.h5"));
  REQUIRE_FALSE(b);
  CHECK(b.status().message() ==
        tmp_file("record_test_does_not_exist.h5") + ": error: cannot open: not an HDF5 file or unreadable");

  const std::string plain = tmp_file("record_test_plain.h5");
  { H5::H5File f(plain, H5F_ACC_TRUNC); }
  auto c = open_run_file(plain);
  REQUIRE_FALSE(c);
  CHECK(c.status().message() == plain + ": error: not a spotsim file (no spotsim_schema_version attribute)");
  std::remove(plain.c_str());
}

# Runs at install time (`cmake --install`, and cpack -G DEB with CPACK_SET_DESTDIR): writes the
# systemd unit and the default config for the prefix actually installed to, both from the one
# unit in examples/gameday/chaos-agent.service. Under prefix /usr (the Debian package) the
# config goes to /etc, as GNUInstallDirs does; elsewhere to PREFIX/etc.
# Expects SPOTSIM_SOURCE_DIR (set by the install(CODE) that includes this file).
set(_prefix "${CMAKE_INSTALL_PREFIX}")
set(_etc "${_prefix}/etc")
if(_prefix STREQUAL "/usr")
  set(_etc "/etc")
endif()

function(_write_installed dest text)
  message(STATUS "Installing: $ENV{DESTDIR}${dest}")
  get_filename_component(_dir "$ENV{DESTDIR}${dest}" DIRECTORY)
  file(MAKE_DIRECTORY "${_dir}")
  file(WRITE "$ENV{DESTDIR}${dest}" "${text}")
endfunction()

file(READ "${SPOTSIM_SOURCE_DIR}/examples/gameday/chaos-agent.service" _unit)
string(REPLACE "/usr/local/bin/" "${_prefix}/bin/" _unit "${_unit}")
string(REPLACE "/etc/default/" "${_etc}/default/" _unit "${_unit}")
_write_installed("${_prefix}/lib/systemd/system/chaos-agent.service" "${_unit}")

# The default options: the unit's own Environment= line, so the two never differ.
if(NOT _unit MATCHES "Environment=\"CHAOS_AGENT_OPTS=([^\"]*)\"")
  message(FATAL_ERROR "chaos-agent.service has no Environment=\"CHAOS_AGENT_OPTS=...\" line")
endif()
_write_installed("${_etc}/default/chaos-agent"
"# chaos-agent serve options, read by chaos-agent.service (`chaos-agent serve --help`, man chaos-agent).
# The unit always adds --control unix:/run/chaos-agent/control.sock
# --state-file /run/chaos-agent/state.json --audit /var/log/chaos-agent/audit.jsonl
# After a change: systemctl restart chaos-agent
CHAOS_AGENT_OPTS=\"${CMAKE_MATCH_1}\"
")

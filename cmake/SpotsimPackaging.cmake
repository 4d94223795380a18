# chaos-agent's Debian package: `cpack -G DEB` in a build directory (the Release build is the one
# to ship: cmake --preset release && cmake --build build/release && (cd build/release && cpack -G DEB)).
# Only the chaos_agent install component goes in: the binary, its man page (from its --help),
# the systemd unit with ExecStopPost cleanup, /etc/default/chaos-agent (a conffile), the docs of
# the agent, and maintainer scripts that start it under systemd and remove its NAT rule on
# removal. docs/chaos-agent.md "Packaging" describes it; tests/install/deb_package.py installs
# it into a fresh root and purges it.
include(GNUInstallDirs)

set(_agent_component chaos_agent)
install(TARGETS chaos-agent RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT ${_agent_component})

set(_man ${PROJECT_BINARY_DIR}/chaos-agent.1)
add_custom_command(OUTPUT ${_man}
  COMMAND ${CMAKE_COMMAND} -DAGENT=$<TARGET_FILE:chaos-agent> -DVERSION=${PROJECT_VERSION} -DOUT=${_man}
          -P ${PROJECT_SOURCE_DIR}/packaging/man.cmake
  DEPENDS chaos-agent ${PROJECT_SOURCE_DIR}/packaging/man.cmake
  COMMENT "chaos-agent(1) from its --help")
add_custom_target(chaos-agent-man ALL DEPENDS ${_man})
install(FILES ${_man} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT ${_agent_component})
install(FILES docs/chaos-agent.md docs/gameday.md DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/chaos-agent
        COMPONENT ${_agent_component})
install(CODE "set(SPOTSIM_SOURCE_DIR \"${PROJECT_SOURCE_DIR}\")" COMPONENT ${_agent_component})
install(SCRIPT packaging/install_agent_files.cmake COMPONENT ${_agent_component})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME spotsim)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "spotsim maintainers <spotsim@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "fake spot/preemption notices for game days")
set(CPACK_COMPONENTS_ALL ${_agent_component})
set(CPACK_DEB_COMPONENT_INSTALL ON)
# Install with DESTDIR so the install script sees the real prefix (/usr) and may write /etc.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_CHAOS_AGENT_PACKAGE_NAME chaos-agent)
set(CPACK_DEBIAN_CHAOS_AGENT_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_CHAOS_AGENT_PACKAGE_SECTION net)
set(CPACK_DEBIAN_CHAOS_AGENT_DESCRIPTION
    "chaos-agent serves AWS IMDS, Azure Scheduled Events and GCP metadata notices to the\nunmodified software on a VM, with a dead-man switch, an audit log and an iptables NAT\nrule that its cleanup removes.")
# Library dependencies from the binary (dpkg-shlibdeps, in dpkg-dev), plus what it runs.
set(CPACK_DEBIAN_CHAOS_AGENT_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_CHAOS_AGENT_PACKAGE_DEPENDS "iptables")
set(_deb ${PROJECT_SOURCE_DIR}/packaging/deb)
set(_conffiles ${PROJECT_BINARY_DIR}/packaging/conffiles)
file(WRITE ${_conffiles} "/etc/default/chaos-agent\n")
set(CPACK_DEBIAN_CHAOS_AGENT_PACKAGE_CONTROL_EXTRA ${_deb}/postinst ${_deb}/prerm ${_deb}/postrm ${_conffiles})
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)

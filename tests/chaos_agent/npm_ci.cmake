# Installs the locked npm packages for the JS client tests into DST (the build tree).
file(MAKE_DIRECTORY ${DST})
file(COPY ${SRC}/package.json ${SRC}/package-lock.json DESTINATION ${DST})
if(EXISTS ${DST}/node_modules/.package-lock.json)
  file(SHA256 ${SRC}/package-lock.json _want)
  if(EXISTS ${DST}/.installed-lock-sha256)
    file(READ ${DST}/.installed-lock-sha256 _have)
    if(_have STREQUAL _want)
      message(STATUS "npm packages already installed from this lock file")
      return()
    endif()
  endif()
endif()
# Node trusts only its bundled CA list unless told otherwise; behind a TLS-inspecting proxy whose CA
# the machine's admin added to the system store (update-ca-certificates), npm would fail with
# SELF_SIGNED_CERT_IN_CHAIN although apt, curl and pip work. Add the system store (it only adds
# certificates the machine already trusts); a caller's own NODE_EXTRA_CA_CERTS wins.
set(_env)
if(NOT DEFINED ENV{NODE_EXTRA_CA_CERTS} AND EXISTS /etc/ssl/certs/ca-certificates.crt)
  set(_env ${CMAKE_COMMAND} -E env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt)
endif()
execute_process(COMMAND ${_env} npm ci --no-audit --no-fund --loglevel=error
                WORKING_DIRECTORY ${DST} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "npm ci failed in ${DST} (is the npm registry reachable?)")
endif()
file(SHA256 ${SRC}/package-lock.json _want)
file(WRITE ${DST}/.installed-lock-sha256 "${_want}")

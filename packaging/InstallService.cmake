# Run by `cmake --install` (and CPack): writes hashrig.service and the configuration for
# the prefix being installed to. /usr takes /etc; any other prefix P takes P/etc (as
# GNUInstallDirs does). An existing rig.json is never overwritten.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(SYSCONFDIR "/etc")
else()
  set(SYSCONFDIR "${CMAKE_INSTALL_PREFIX}/etc")
endif()
set(BINDIR "${CMAKE_INSTALL_PREFIX}/bin")
set(unit_dir "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
configure_file("${HASHRIG_PACKAGING_DIR}/hashrig.service.in" "${unit_dir}/hashrig.service"
               @ONLY)
message(STATUS "Installing: ${unit_dir}/hashrig.service")
list(APPEND CMAKE_INSTALL_MANIFEST_FILES "${unit_dir}/hashrig.service")

set(config "$ENV{DESTDIR}${SYSCONFDIR}/hashrig/rig.json")
if(EXISTS "${config}")
  message(STATUS "Up-to-date: ${config} (kept: an operator's configuration)")
else()
  file(MAKE_DIRECTORY "$ENV{DESTDIR}${SYSCONFDIR}/hashrig")
  file(COPY_FILE "${HASHRIG_SAMPLE_CONFIG}" "${config}")
  message(STATUS "Installing: ${config}")
endif()
list(APPEND CMAKE_INSTALL_MANIFEST_FILES "${config}")

# Install rules (GNUInstallDirs). `cmake --install build --prefix DIR` gives
# a tree that runs from DIR/bin/cityops with no checkout around: the
# binary finds DIR/share/cityops from its own location (datadir.h).
#
#   bin/cityops
#   share/cityops/{themes,scenarios,drills,sql}
#   share/man/man1/cityops.1, man5/cityops-config.5, cityops-drill.5,
#     man7/cityops-feeds.7
#   share/doc/cityops/ (README, docs/*.md, LICENSE)
#   share/bash-completion/completions/cityops
#   lib/systemd/system/cityops-ingest.service   (CITYOPS_SYSTEMD_UNITDIR)
#   etc/cityops/ingest.conf                     (CITYOPS_SYSCONFDIR)

set(CITYOPS_SYSCONFDIR ${CMAKE_INSTALL_FULL_SYSCONFDIR}/cityops)
set(CITYOPS_SYSTEMD_UNITDIR "lib/systemd/system" CACHE STRING
	"Where the systemd units go (relative: under the prefix)")
# bash-completion looks in $XDG_DATA_DIRS/bash-completion/completions, so
# a path under the data folder works for /usr, /usr/local and a private
# prefix; pkg-config's completionsdir is the same for /usr.
set(CITYOPS_BASH_COMPLETION_DIR
	"${CMAKE_INSTALL_DATADIR}/bash-completion/completions" CACHE STRING
	"Where the bash completion goes (relative: under the prefix)")

install(TARGETS cityops RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY themes scenarios drills
	DESTINATION ${CMAKE_INSTALL_DATADIR}/cityops)
# The SQL is compiled into the binary; the files are shipped for reading
# and for CITYOPS_SQL_DIR.
install(DIRECTORY sql/migrations sql/functions sql/seed
	DESTINATION ${CMAKE_INSTALL_DATADIR}/cityops/sql)

install(FILES docs/cityops.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES docs/cityops-config.5 docs/cityops-drill.5
	DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
install(FILES docs/cityops-feeds.7 DESTINATION ${CMAKE_INSTALL_MANDIR}/man7)
file(GLOB CITYOPS_DOCS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/docs/*.md)
install(FILES README.md ${CITYOPS_DOCS} DESTINATION ${CMAKE_INSTALL_DOCDIR})
option(CITYOPS_INSTALL_LICENSE "Install LICENSE into the doc folder" ON)
if(CITYOPS_INSTALL_LICENSE)
	install(FILES LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR})
endif()

install(FILES completions/cityops DESTINATION ${CITYOPS_BASH_COMPLETION_DIR})

configure_file(dist/systemd/cityops-ingest.service.in
	${CMAKE_BINARY_DIR}/cityops-ingest.service @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/cityops-ingest.service
	DESTINATION ${CITYOPS_SYSTEMD_UNITDIR})
install(FILES dist/etc/ingest.conf DESTINATION ${CMAKE_INSTALL_SYSCONFDIR}/cityops)

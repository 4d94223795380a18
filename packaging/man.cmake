# Writes the chaos-agent(1) man page from the program's own --help texts, so the page and the
# program never disagree. cmake -DAGENT=PATH -DVERSION=V -DOUT=chaos-agent.1 -P man.cmake
set(_subcommands serve inject clear status report gameday cleanup)
execute_process(COMMAND "${AGENT}" --help OUTPUT_VARIABLE _top RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "${AGENT} --help failed")
endif()
# roff: a leading '.' or '\'' starts a request and '\' escapes; keep the help text literal.
# The usage lines name the program as it was run (the build path): name it chaos-agent.
function(_roff_literal in out)
  string(REPLACE "${AGENT}" "chaos-agent" _t "${in}")
  string(REPLACE "\\" "\\e" _t "${_t}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" _t "${_t}")
  set(${out} "${_t}" PARENT_SCOPE)
endfunction()
_roff_literal("${_top}" _top)
set(_page ".TH CHAOS-AGENT 1 \"\" \"chaos-agent ${VERSION}\" \"User Commands\"
.SH NAME
chaos-agent \\- fake spot/preemption notices (AWS IMDS, Azure Scheduled Events, GCP metadata) for game days
.SH SYNOPSIS
.B chaos-agent
.I SUBCOMMAND
[options]
.SH DESCRIPTION
.nf
${_top}.fi
")
foreach(_sub IN LISTS _subcommands)
  execute_process(COMMAND "${AGENT}" ${_sub} --help OUTPUT_VARIABLE _help RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "${AGENT} ${_sub} --help failed")
  endif()
  _roff_literal("${_help}" _help)
  string(APPEND _page ".SH \"chaos-agent ${_sub}\"\n.nf\n${_help}.fi\n")
endforeach()
string(APPEND _page ".SH FILES
.TP
.I /etc/default/chaos-agent
options of the systemd unit (CHAOS_AGENT_OPTS)
.TP
.I /run/chaos-agent/state.json
the interception rule, for \\fBchaos-agent cleanup\\fR
.TP
.I /var/log/chaos-agent/audit.jsonl
the audit log (JSON lines)
.SH SEE ALSO
/usr/share/doc/chaos-agent/chaos-agent.md, /usr/share/doc/chaos-agent/gameday.md
")
file(WRITE "${OUT}" "${_page}")

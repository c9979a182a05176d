#!/bin/sh
# Half two of faults.sh's cases (FAULTS_SHARD=2/2): ./check runs both halves
# side by side, as most of a case's time is a server's wait.
FAULTS_SHARD=2/2 exec sh "$(dirname "$0")/faults.sh"

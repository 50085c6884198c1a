# Kafka's own PKI and users for the container forms (compose, the local Kubernetes overlay): sourced, not run.
# docs/certificates.md, "Kafka identities": the broker cannot get its certificate from cert-service, which needs
# Kafka first. A CA that signs the broker's certificate and is then dropped (its key never written outside a
# temporary directory); one SCRAM user per service, each allowed to write only its own topics (the broker makes
# users, ACLs and topics itself from the provisioning file).
#
#   kafka_secrets OUT_DIR TRUSTSTORE_PATH BROKER_SANS USER:FILE...
#
# writes OUT_DIR/kafka-ca.pem (the CA certificate), kafka-broker.pem (the broker's key, certificate and CA),
# kafka-admin (the broker's super user password), kafka-provisioning.properties (users and clusters) and, per
# USER:FILE, kafka-client-FILE.properties (SASL_SSL with USER's password, trusting TRUSTSTORE_PATH as the service
# sees it). BROKER_SANS is openssl's subjectAltName value, e.g. DNS:kafka,DNS:localhost,IP:127.0.0.1.
# Needs openssl. Files are written under umask 077; callers loosen modes where their runtime needs it.
kafka_secrets() {
  local out=$1 truststore=$2 sans=$3; shift 3
  local tmp user pw
  tmp=$(mktemp -d)
  (
    umask 077
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/ca.key" 2>/dev/null
    openssl req -x509 -new -key "$tmp/ca.key" -sha256 -days 3650 -subj "/O=redis-sync/CN=redis-sync Kafka CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$out/kafka-ca.pem"
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/broker.key" 2>/dev/null
    openssl req -new -key "$tmp/broker.key" -subj "/O=redis-sync/CN=kafka-broker" -out "$tmp/broker.csr"
    printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=%s\n' \
      "$sans" > "$tmp/ext"
    openssl x509 -req -in "$tmp/broker.csr" -CA "$out/kafka-ca.pem" -CAkey "$tmp/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
      -days 825 -sha256 -extfile "$tmp/ext" -out "$tmp/broker.crt" 2>/dev/null
    cat "$tmp/broker.key" "$tmp/broker.crt" "$out/kafka-ca.pem" > "$out/kafka-broker.pem"
    openssl rand -hex 24 > "$out/kafka-admin"
    { echo "prefix="; echo "clusters=cluster-a,cluster-b,cluster-c"; } > "$out/kafka-provisioning.properties"
    for user in "$@"; do
      pw=$(openssl rand -hex 24)
      echo "user.${user%%:*}=$pw" >> "$out/kafka-provisioning.properties"
      cat > "$out/kafka-client-${user#*:}.properties" <<P
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${user%%:*}" password="$pw";
ssl.truststore.type=PEM
ssl.truststore.location=$truststore
P
    done
  )
  rm -rf "$tmp"
}

#!/usr/bin/env bash
# Reference for bench/generate.bench.ts: the same artefacts as `mtls chain` (root CA, intermediate CA,
# server leaf, client leaf, bundles) made with the openssl CLI, the way a typical tutorial script does.
# Usage: chain-openssl.sh DIR [rsa2048|ec256]
set -euo pipefail
dir=${1:?usage: chain-openssl.sh DIR [rsa2048|ec256]}
kind=${2:-rsa2048}
mkdir -p "$dir" && cd "$dir"
case "$kind" in
  rsa2048) alg=(-algorithm RSA -pkeyopt rsa_keygen_bits:2048); ku="digitalSignature,keyEncipherment" ;;
  ec256) alg=(-algorithm EC -pkeyopt ec_paramgen_curve:P-256); ku="digitalSignature" ;;
  *) echo "unknown key kind $kind" >&2; exit 2 ;;
esac
for k in ca-root ca-intermediate server client; do
  openssl genpkey "${alg[@]}" -out "$k-key.pem" 2>/dev/null
done
chmod 600 ./*-key.pem
cat > ext.cnf <<CNF
[root]
basicConstraints=critical,CA:true,pathlen:1
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
[inter]
basicConstraints=critical,CA:true,pathlen:0
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
[server]
basicConstraints=critical,CA:false
keyUsage=critical,$ku
extendedKeyUsage=serverAuth
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
[client]
basicConstraints=critical,CA:false
keyUsage=critical,$ku
extendedKeyUsage=clientAuth
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
CNF
org="/O=mTLS Workbench development"
# -config also supplies the [root] extension section (req -x509 has no -extfile).
openssl req -new -x509 -key ca-root-key.pem -subj "$org/CN=Dev Root CA" -days 3650 -sha256 \
  -config ext.cnf -extensions root -out ca-root-crt.pem 2>/dev/null
openssl req -new -key ca-intermediate-key.pem -subj "$org/CN=Dev Intermediate CA" -out inter.csr
openssl x509 -req -in inter.csr -CA ca-root-crt.pem -CAkey ca-root-key.pem -set_serial "0x$(openssl rand -hex 16)" \
  -days 3650 -sha256 -extfile ext.cnf -extensions inter -out ca-intermediate-crt.pem 2>/dev/null
for leaf in server client; do
  cn=$([ "$leaf" = server ] && echo localhost || echo mtls-client)
  openssl req -new -key "$leaf-key.pem" -subj "$org/CN=$cn" -out "$leaf.csr"
  openssl x509 -req -in "$leaf.csr" -CA ca-intermediate-crt.pem -CAkey ca-intermediate-key.pem -set_serial "0x$(openssl rand -hex 16)" \
    -days 397 -sha256 -extfile ext.cnf -extensions "$leaf" -out "$leaf-crt.pem" 2>/dev/null
  cat "$leaf-crt.pem" ca-intermediate-crt.pem > "$leaf-fullchain.pem"
done
cat ca-intermediate-crt.pem ca-root-crt.pem > ca-crt.pem
rm -f ./*.csr ext.cnf

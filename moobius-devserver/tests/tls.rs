//! HTTPS and WSS with a certificate generated at run time (rcgen): a plain
//! rustls client that trusts it signs in over HTTPS and logs in over WSS;
//! one that does not trust it fails the handshake.

#![allow(clippy::unwrap_used)]

use futures_util::{SinkExt, StreamExt};
use moobius_devserver::DevServer;
use rustls::pki_types::ServerName;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

const WAIT: Duration = Duration::from_secs(10);

fn client(
    trusted: Option<&rustls::pki_types::CertificateDer<'static>>,
) -> tokio_rustls::TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    if let Some(c) = trusted {
        roots.add(c.clone()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

#[tokio::test]
async fn https_and_wss_with_a_generated_certificate() {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let dir = std::env::temp_dir().join(format!("moobius-devserver-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    let server = DevServer::builder()
        .user("a@example.com", "pw")
        .tls_pem_files(&cert_path, &key_path)
        .start()
        .await
        .unwrap();
    assert!(server.http_uri().starts_with("https://"));
    assert!(server.ws_uri().starts_with("wss://"));
    let addr = server.local_addr();
    let name = ServerName::try_from("localhost").unwrap();
    let der = cert.cert.der().clone();

    // HTTPS: sign in.
    let tcp = TcpStream::connect(addr).await.unwrap();
    let mut tls = client(Some(&der)).connect(name.clone(), tcp).await.unwrap();
    let body = r#"{"username":"a@example.com","password":"pw"}"#;
    let req = format!("POST /auth/sign_in HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len());
    tls.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(WAIT, tls.read_to_end(&mut out))
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    let json: serde_json::Value =
        serde_json::from_str(&text[text.find("\r\n\r\n").unwrap() + 4..]).unwrap();
    let token = json["data"]["AuthenticationResult"]["AccessToken"]
        .as_str()
        .unwrap()
        .to_owned();

    // WSS: log in.
    let tcp = TcpStream::connect(addr).await.unwrap();
    let tls = client(Some(&der)).connect(name.clone(), tcp).await.unwrap();
    let url = format!("wss://localhost:{}/ws", addr.port());
    let (mut ws, _) = tokio_tungstenite::client_async(url, tls).await.unwrap();
    let login =
        serde_json::json!({"type": "user_login", "request_id": "r1", "access_token": token});
    ws.send(Message::Text(login.to_string().into()))
        .await
        .unwrap();
    let reply = tokio::time::timeout(WAIT, ws.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let reply: serde_json::Value = serde_json::from_str(reply.to_text().unwrap()).unwrap();
    assert_eq!(reply["body"]["status"], true, "{reply}");

    // A client that does not trust the certificate fails the handshake.
    let tcp = TcpStream::connect(addr).await.unwrap();
    let refused = client(None).connect(name, tcp).await;
    let e = match refused {
        Ok(_) => panic!("an untrusted certificate was accepted"),
        Err(e) => e.to_string(),
    };
    assert!(e.contains("certificate"), "{e}");

    server.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn bad_pem_files_are_a_clear_error() {
    let dir = std::env::temp_dir().join(format!("moobius-devserver-badtls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bogus = dir.join("bogus.pem");
    std::fs::write(&bogus, "not a certificate").unwrap();
    let err = DevServer::builder()
        .tls_pem_files(&bogus, &bogus)
        .start()
        .await
        .expect_err("refused");
    assert!(err.to_string().contains("bogus.pem"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

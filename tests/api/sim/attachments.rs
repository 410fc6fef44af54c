//! `attachment/{id}` (metadata) and `attachment/content/{id}` (303, the bytes, ranges).

use reqwest::{Method, StatusCode};

use super::{ADMIN, Sim, VIEWER, auth};

/// An image attachment on an issue the viewer can browse: (attachment id, PNG bytes).
fn png_attachment(sim: &Sim) -> (u64, bytes::Bytes) {
    let issue = sim.issue_where(|i| {
        i.project != "SEC" && i.attachments.iter().any(|a| a.mime_type == "image/png")
    });
    let attachment = issue
        .attachments
        .iter()
        .find(|a| a.mime_type == "image/png")
        .expect("png");
    (attachment.id, attachment.content.clone())
}

#[tokio::test]
async fn attachment_metadata_describes_the_file() {
    let sim = Sim::start().await;
    let (id, bytes) = png_attachment(&sim);

    let answer = sim.get(VIEWER, &format!("/attachment/{id}")).await;

    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body["id"], id);
    assert_eq!(answer.body["mimeType"], "image/png");
    assert_eq!(answer.body["size"], bytes.len());
    assert_eq!(
        answer.body["content"],
        sim.api(&format!("/attachment/content/{id}"))
    );
}

#[tokio::test]
async fn attachment_content_redirects_with_303_by_default() {
    let sim = Sim::start().await;
    let (id, _) = png_attachment(&sim);

    let answer = sim.get(VIEWER, &format!("/attachment/content/{id}")).await;

    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    let location = answer.header("location").expect("Location");
    let followed = sim
        .send(Method::GET, location, Some(&auth(VIEWER)), None)
        .await;
    assert_eq!(followed.status, StatusCode::OK);
    assert_eq!(followed.header("content-type"), Some("image/png"));
}

#[tokio::test]
async fn attachment_content_without_redirect_gives_the_png_bytes() {
    let sim = Sim::start().await;
    let (id, bytes) = png_attachment(&sim);

    let answer = sim
        .get(VIEWER, &format!("/attachment/content/{id}?redirect=false"))
        .await;

    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header("content-type"), Some("image/png"));
    assert_eq!(answer.bytes, bytes);
    assert_eq!(&answer.bytes[..8], b"\x89PNG\r\n\x1a\n");
}

#[tokio::test]
async fn a_range_request_gives_206_with_that_slice() {
    let sim = Sim::start().await;
    let (id, bytes) = png_attachment(&sim);
    let url = sim.api(&format!("/attachment/content/{id}?redirect=false"));

    let response = sim
        .http
        .get(&url)
        .header("authorization", auth(VIEWER))
        .header("range", "bytes=0-15")
        .send()
        .await
        .expect("answer");
    let beyond = sim
        .http
        .get(&url)
        .header("authorization", auth(VIEWER))
        .header("range", "bytes=100000-")
        .send()
        .await
        .expect("answer");

    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        response.headers()["content-range"],
        format!("bytes 0-15/{}", bytes.len()).as_str()
    );
    assert_eq!(response.bytes().await.expect("body"), bytes.slice(0..16));
    assert_eq!(beyond.status(), StatusCode::RANGE_NOT_SATISFIABLE);
}

#[tokio::test]
async fn attachments_of_sec_issues_are_not_found_for_the_viewer() {
    let sim = Sim::start().await;
    let issue = sim.issue_where(|i| i.project == "SEC" && !i.attachments.is_empty());
    let id = issue.attachments[0].id;

    let viewer = sim.get(VIEWER, &format!("/attachment/{id}")).await;
    let admin = sim.get(ADMIN, &format!("/attachment/{id}")).await;

    assert_eq!(viewer.status, StatusCode::NOT_FOUND);
    assert_eq!(admin.status, StatusCode::OK);
}

#[tokio::test]
async fn only_image_attachments_have_a_thumbnail() {
    let sim = Sim::start().await;
    let issue = sim.issue_where(|i| {
        i.project != "SEC" && i.attachments.iter().any(|a| a.mime_type == "text/plain")
    });
    let text = issue
        .attachments
        .iter()
        .find(|a| a.mime_type == "text/plain")
        .expect("text attachment");
    let (png, _) = png_attachment(&sim);

    let text_meta = sim.get(VIEWER, &format!("/attachment/{}", text.id)).await;
    let png_meta = sim.get(VIEWER, &format!("/attachment/{png}")).await;

    assert!(
        text_meta.body.get("thumbnail").is_none(),
        "{:?}",
        text_meta.body
    );
    assert_eq!(
        png_meta.body["thumbnail"],
        sim.api(&format!("/attachment/thumbnail/{png}"))
    );
}

#[tokio::test]
async fn suffix_and_open_ranges_are_served_and_malformed_ones_refused() {
    let sim = Sim::start().await;
    let (id, bytes) = png_attachment(&sim);
    let url = sim.api(&format!("/attachment/content/{id}?redirect=false"));
    let get = |range: &'static str| {
        sim.http
            .get(&url)
            .header("authorization", auth(VIEWER))
            .header("range", range)
            .send()
    };
    let len = bytes.len();

    let suffix = get("bytes=-10").await.expect("answer");
    let open = get("bytes=10-").await.expect("answer");
    let past_end = get("bytes=0-999999").await.expect("answer");
    let malformed = get("bytes=abc").await.expect("answer");

    assert_eq!(suffix.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        suffix.headers()["content-range"],
        format!("bytes {}-{}/{len}", len - 10, len - 1).as_str()
    );
    assert_eq!(suffix.bytes().await.expect("body"), bytes.slice(len - 10..));
    assert_eq!(open.bytes().await.expect("body"), bytes.slice(10..));
    assert_eq!(past_end.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(past_end.bytes().await.expect("body"), bytes);
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
}

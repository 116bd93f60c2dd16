# A token for a new anonymous user, from the Auth emulator that `npm start` runs.
TOKEN=$(curl -s -X POST 'http://127.0.0.1:9099/identitytoolkit.googleapis.com/v1/accounts:signUp?key=fake-api-key' \
  -H 'Content-Type: application/json' -d '{"returnSecureToken":true}' | jq -r .idToken)

# Rate The Shawshank Redemption (movie 318) 4.5 stars, through the site's /api proxy.
curl -s -X POST http://127.0.0.1:4321/api/v1/ratings \
  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"movieId":318,"rating":4.5}'
echo

# A few seconds for the ingest, then your recommendations (comedies only), from the api function itself.
sleep 5
curl -s 'http://127.0.0.1:8090/v1/me/recommendations?limit=3&genre=Comedy' \
  -H "Authorization: Bearer $TOKEN"
echo

# Public reads need no token; errors are problem details.
curl -s http://127.0.0.1:8090/v1/movies/318
echo
curl -s -X POST http://127.0.0.1:8090/v1/ratings -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' -d '{"movieId":99999999,"rating":4}'
echo

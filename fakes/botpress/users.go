package botpress

import (
	"slices"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

// userBody is the body of createUser, getOrCreateUser and updateUser.
type userBody struct {
	Tags               map[string]string `json:"tags"`
	Name               *string           `json:"name"`
	PictureURL         *string           `json:"pictureUrl"`
	IntegrationName    string            `json:"integrationName"`
	DiscriminateByTags []string          `json:"discriminateByTags"`
}

type userResponse struct {
	User userJSON `json:"user"`
}

// newUser stores a user and journals it. Callers hold s.mu.
func (s *Server) newUser(kind string, b userBody, getOrCreate bool) *user {
	now := s.clock.Now()
	u := &user{seq: s.st.nextSeq(), id: s.ids.next(PrefixUser), createdAt: now, updatedAt: now, tags: cleanTags(b.Tags)}
	if b.Name != nil {
		u.name = *b.Name
	}
	if b.PictureURL != nil {
		u.pictureURL = *b.PictureURL
	}
	s.st.users = append(s.st.users, u)
	s.st.usersBy[u.id] = u
	created := ""
	if getOrCreate {
		created = "created"
	}
	s.record(fakes.ClassCapture, "platform", kind, describe(u.id, created, quoteName(u.name), fakes.FormatTags(u.tags)), u.capture())
	s.checkUser(kind, u)
	return u
}

// findUser returns the first user matching a get-or-create. Callers hold s.mu.
func (s *Server) findUser(tags map[string]string, discriminate []string) *user {
	for _, u := range s.st.users {
		if tagsMatch(u.tags, tags, discriminate) {
			return u
		}
	}
	return nil
}

// getOrCreateUser finds or creates a user. Callers hold s.mu.
func (s *Server) getOrCreateUserLocked(kind string, b userBody) *user {
	if u := s.findUser(b.Tags, b.DiscriminateByTags); u != nil {
		s.record(fakes.ClassCapture, "platform", kind, describe(u.id, "existing", quoteName(u.name), fakes.FormatTags(u.tags)), u.capture())
		return u
	}
	return s.newUser(kind, b, true)
}

func (s *Server) createUser(rq *apiRequest) (any, *apiError) {
	var b userBody
	if e := rq.decode(&b); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return userResponse{s.newUser("user.create", b, false).json()}, nil
}

func (s *Server) getOrCreateUser(rq *apiRequest) (any, *apiError) {
	var b userBody
	if e := rq.decode(&b); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return userResponse{s.getOrCreateUserLocked("user.get-or-create", b).json()}, nil
}

func (s *Server) userByID(id string) (*user, *apiError) {
	u := s.st.usersBy[id]
	if u == nil {
		return nil, notFound("User %q not found", id)
	}
	return u, nil
}

func (s *Server) getUser(rq *apiRequest) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, e := s.userByID(rq.r.PathValue("id"))
	if e != nil {
		return nil, e
	}
	return userResponse{u.json()}, nil
}

func (s *Server) updateUser(rq *apiRequest) (any, *apiError) {
	// name and pictureUrl are nullable: null removes them.
	var b struct {
		Tags       map[string]string `json:"tags"`
		Name       optString         `json:"name"`
		PictureURL optString         `json:"pictureUrl"`
	}
	if e := rq.decode(&b); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, e := s.userByID(rq.r.PathValue("id"))
	if e != nil {
		return nil, e
	}
	u.tags = mergeTags(u.tags, b.Tags, rq.nullTags)
	if b.Name.set {
		u.name = b.Name.value
	}
	if b.PictureURL.set {
		u.pictureURL = b.PictureURL.value
	}
	u.updatedAt = s.clock.Now()
	s.record(fakes.ClassCapture, "platform", "user.update", describe(u.id, quoteName(u.name), fakes.FormatTags(u.tags)), u.capture())
	s.checkUser("user.update", u)
	return userResponse{u.json()}, nil
}

func (s *Server) deleteUser(rq *apiRequest) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, e := s.userByID(rq.r.PathValue("id"))
	if e != nil {
		return nil, e
	}
	delete(s.st.usersBy, u.id)
	s.st.users = remove(s.st.users, func(x *user) bool { return x == u })
	for _, c := range s.st.convs {
		c.participants = remove(c.participants, func(id string) bool { return id == u.id })
	}
	s.record(fakes.ClassCapture, "platform", "user.delete", u.id, u.capture())
	return struct{}{}, nil
}

func (s *Server) listUsers(rq *apiRequest) (any, *apiError) {
	q, e := parseQuery(rq.r)
	if e != nil {
		return nil, e
	}
	after, before, e := q.dateRange()
	if e != nil {
		return nil, e
	}
	rangeField, e := q.enum("rangeField", "updatedAt", "createdAt")
	if e != nil {
		return nil, e
	}
	sortField, e := q.enum("sortField", "updatedAt", "createdAt")
	if e != nil {
		return nil, e
	}
	dir, e := q.enum("sortDirection", "asc", "desc")
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var members []string
	byConv := false
	if cid := q.get("conversationId"); cid != "" {
		byConv = true
		c := s.st.convsBy[cid]
		if c == nil {
			return nil, notFound("Conversation %q not found", cid)
		}
		members = c.participants
	}
	var out []*user
	for _, u := range s.st.users {
		at := u.createdAt
		if rangeField == "updatedAt" {
			at = u.updatedAt
		}
		if !filterTags(u.tags, q.tags) || !inRange(at, after, before) {
			continue
		}
		if byConv && !slices.Contains(members, u.id) {
			continue
		}
		out = append(out, u)
	}
	sortItems(out, func(u *user) time.Time {
		if sortField == "updatedAt" {
			return u.updatedAt
		}
		return u.createdAt
	}, func(u *user) int64 { return u.seq }, dir == "asc")
	pg, next, e := paginate(out, q.get("nextToken"))
	if e != nil {
		return nil, e
	}
	users := make([]userJSON, 0, len(pg))
	for _, u := range pg {
		users = append(users, u.json())
	}
	return struct {
		Users []userJSON `json:"users"`
		Meta  listMeta   `json:"meta"`
	}{users, listMeta{next}}, nil
}
